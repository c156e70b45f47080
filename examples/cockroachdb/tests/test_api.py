"""The JSON API: the happy path, and every kind of bad request."""

import uuid
from decimal import Decimal

import pytest
from django.test import override_settings

from bank.models import Customer, Order, Product

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def carl(api) -> dict:
    status, body = api.post("/customer/", {"name": "Carl"})
    assert status == 201
    return body


@pytest.fixture
def products(api) -> list[dict]:
    made = []
    for name, price, stock in [("Pen", "1.50", 3), ("Ink", "4.25", 1)]:
        status, body = api.post("/product/", {"name": name, "price": price, "stock": stock})
        assert status == 201
        made.append(body)
    return made


def test_customer_is_created_listed_and_fetched(api, carl):
    assert carl == {"id": carl["id"], "name": "Carl"}
    assert api.get("/customer/") == (200, [carl])
    assert api.get(f"/customer/{carl['id']}/") == (200, carl)


def test_product_is_created_listed_and_fetched(api, products):
    pen, ink = products
    assert pen == {"id": pen["id"], "name": "Pen", "price": "1.50", "stock": 3}
    assert api.get("/product/") == (200, [ink, pen])
    assert api.get(f"/product/{ink['id']}/") == (200, ink)


def test_order_takes_products_from_stock_and_totals_them(api, carl, products):
    pen, ink = products
    status, order = api.post(
        "/order/", {"customer": carl["id"], "products": [pen["id"], ink["id"]]}
    )
    assert status == 201
    assert order == {
        "id": order["id"],
        "customer": carl["id"],
        "products": sorted([pen["id"], ink["id"]]),
        "total": "5.75",
    }
    assert api.get(f"/order/{order['id']}/") == (200, order)
    assert api.get("/order/") == (200, [order])
    assert api.get(f"/product/{pen['id']}/")[1]["stock"] == 2
    assert api.get(f"/product/{ink['id']}/")[1]["stock"] == 0


PEN = {"name": "Pen", "price": "1.50", "stock": 1}
SOMEONE = str(uuid.uuid4())


@pytest.mark.parametrize(
    ("url", "body", "error"),
    [
        ("/customer/", "{not json", "body: malformed JSON"),
        ("/customer/", "[" * 100_000 + "]" * 100_000, "body: malformed JSON"),
        ("/customer/", "[1, 2]", "body: expected a JSON object"),
        ("/customer/", {"name": "  "}, "name: This field cannot be blank."),
        ("/customer/", {}, "name: expected a string, got null"),
        ("/customer/", {"name": 123}, "name: expected a string, got an integer"),
        ("/customer/", {"name": {"first": "Carl"}}, "name: expected a string, got an object"),
        ("/customer/", {"name": "Carl\x00"}, "name: NUL characters are not allowed"),
        ("/customer/", {"name": "\ud800"}, "name: lone surrogates are not allowed"),
        ("/customer/", {"name": "x" * 251}, "name: Ensure this value has at most 250 char"),
        ("/product/", PEN | {"price": "abc"}, "price: “abc” value must be a decimal number."),
        ("/product/", PEN | {"price": "-1"}, "price: Ensure this value is greater than or eq"),
        ("/product/", PEN | {"price": "0.001"}, "price: Ensure that there are no more than 2 de"),
        ("/product/", PEN | {"price": "1e20"}, "price: Ensure that there are no more than 18 d"),
        ("/product/", PEN | {"price": 2**63}, "price: Ensure that there are no more than 18 d"),
        ("/product/", PEN | {"price": "NaN"}, "price: “NaN” value must be a decimal number."),
        ("/product/", PEN | {"price": True}, "price: expected a number or a string, got a bo"),
        ("/product/", PEN | {"stock": -1}, "stock: Ensure this value is greater than or eq"),
        ("/product/", PEN | {"stock": 2**31}, "stock: Ensure this value is less than or equal"),
        ("/product/", PEN | {"stock": 10**30}, "stock: Ensure this value is less than or equal"),
        ("/product/", PEN | {"stock": True}, "stock: expected an integer, got a boolean"),
        ("/product/", PEN | {"stock": 1.5}, "stock: expected an integer, got a number"),
        ("/order/", {"customer": SOMEONE, "products": []}, "products: expected a non-empty"),
        ("/order/", {"customer": SOMEONE, "products": SOMEONE}, "products: expected a non-e"),
        ("/order/", {"customer": "carl", "products": [SOMEONE]}, "customer: “carl” is not a"),
        ("/order/", {"customer": 5, "products": [SOMEONE]}, "customer: expected a string"),
        ("/order/", {"customer": SOMEONE, "products": [7]}, "products: expected a string, "),
        ("/order/", {"customer": SOMEONE, "products": ["\x00"]}, "products: NUL characters"),
    ],
)
def test_bad_input_is_400_and_writes_nothing(api, url, body, error):
    status, answer = api.post(url, body)
    assert status == 400
    assert answer["error"].startswith(error)
    assert (Customer.objects.count(), Product.objects.count(), Order.objects.count()) == (0, 0, 0)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_a_body_not_declared_as_json_is_415(api, content_type):
    response = api.client.post("/customer/", '{"name": "Carl"}', content_type=content_type)
    assert response.status_code == 415
    assert response.json() == {"error": "Content-Type: expected application/json"}
    assert not Customer.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
def test_a_body_over_the_upload_limit_is_413(api):
    assert api.post("/customer/", {"name": "x" * 100}) == (
        413,
        {"error": "body: larger than 100 bytes"},
    )
    assert not Customer.objects.exists()


def test_limits_come_from_the_model_fields(api):
    longest = "x" * Customer._meta.get_field("name").max_length
    assert api.post("/customer/", {"name": longest})[0] == 201
    assert api.post("/customer/", {"name": longest + "x"})[0] == 400
    biggest = 2**31 - 1  # PositiveIntegerField's column on PostgreSQL
    assert api.post("/product/", PEN | {"stock": biggest})[1]["stock"] == biggest


def test_a_product_twice_in_one_order_is_400(api, carl, products):
    pen = products[0]["id"]
    status, answer = api.post("/order/", {"customer": carl["id"], "products": [pen, pen]})
    assert (status, answer) == (400, {"error": "products: each product at most once"})


@pytest.mark.parametrize("kind", ["customer", "product", "order"])
def test_unknown_id_is_404(api, kind):
    missing = uuid.uuid4()
    assert api.get(f"/{kind}/{missing}/") == (404, {"error": f"no {kind} {missing}"})


def test_id_that_is_not_a_uuid_is_a_json_404(api):
    assert api.get("/customer/42/") == (404, {"error": "not found", "path": "/customer/42/"})


@pytest.mark.parametrize(
    ("method", "url"),
    [("put", "/customer/"), ("delete", "/order/"), ("patch", "/product/"), ("post", "DETAIL")],
)
def test_wrong_method_is_405(api, carl, method, url):
    url = f"/customer/{carl['id']}/" if url == "DETAIL" else url
    response = getattr(api.client, method)(url, "{}", content_type="application/json")
    assert response.status_code == 405
    assert "GET" in response["Allow"]


def test_unknown_product_in_an_order_is_400_and_nothing_is_half_written(api, carl, products):
    pen, ink = products
    missing = str(uuid.uuid4())
    # The pen is taken from stock before the unknown product is found: the
    # rollback must put it back.
    status, answer = api.post(
        "/order/", {"customer": carl["id"], "products": [pen["id"], missing, ink["id"]]}
    )
    assert (status, answer) == (400, {"error": f"unknown product {missing}"})
    assert Order.objects.count() == 0
    assert Order.products.through.objects.count() == 0
    assert Product.objects.get(pk=pen["id"]).stock == 3
    assert Product.objects.get(pk=ink["id"]).stock == 1


def test_unknown_customer_in_an_order_is_400(api, products):
    missing = str(uuid.uuid4())
    status, answer = api.post("/order/", {"customer": missing, "products": [products[0]["id"]]})
    assert (status, answer) == (400, {"error": f"unknown customer {missing}"})
    assert Order.objects.count() == 0


def test_out_of_stock_is_409_and_rolls_back_the_whole_order(api, carl, products):
    pen, ink = products
    assert api.post("/order/", {"customer": carl["id"], "products": [ink["id"]]})[0] == 201
    status, answer = api.post(
        "/order/", {"customer": carl["id"], "products": [pen["id"], ink["id"]]}
    )
    assert (status, answer) == (409, {"error": "Ink is out of stock"})
    assert Order.objects.count() == 1
    assert Product.objects.get(pk=pen["id"]).stock == 3
    assert Order.objects.get().total == Decimal("4.25")
