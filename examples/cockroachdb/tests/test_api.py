"""The JSON API: the happy path, and every kind of bad request."""

import uuid
from decimal import Decimal

import pytest

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


@pytest.mark.parametrize(
    ("url", "body", "error"),
    [
        ("/customer/", "{not json", "malformed JSON"),
        ("/customer/", "[1, 2]", "expected a JSON object"),
        ("/customer/", {"name": "  "}, "name: expected a non-empty string"),
        ("/product/", {"name": "Pen", "price": "abc", "stock": 1}, "price: expected a decimal"),
        ("/product/", {"name": "Pen", "price": "-1", "stock": 1}, "price: expected a non-neg"),
        ("/product/", {"name": "Pen", "price": "0.001", "stock": 1}, "price: expected a non-neg"),
        ("/product/", {"name": "Pen", "price": "1e20", "stock": 1}, "price: expected a non-neg"),
        ("/product/", {"name": "Pen", "price": "NaN", "stock": 1}, "price: expected a non-neg"),
        ("/product/", {"name": "Pen", "price": "1", "stock": -1}, "stock: expected a non-neg"),
        ("/product/", {"name": "Pen", "price": "1", "stock": True}, "stock: expected a non-neg"),
        ("/order/", {"customer": str(uuid.uuid4()), "products": []}, "products: expected a non"),
        ("/order/", {"customer": "carl", "products": [str(uuid.uuid4())]}, "customer: 'carl' is"),
        ("/order/", {"customer": str(uuid.uuid4()), "products": [7]}, "products: 7 is not a UUID"),
    ],
)
def test_bad_input_is_400_and_writes_nothing(api, url, body, error):
    status, answer = api.post(url, body)
    assert status == 400
    assert answer["error"].startswith(error)
    assert (Customer.objects.count(), Product.objects.count(), Order.objects.count()) == (0, 0, 0)


def test_a_product_twice_in_one_order_is_400(api, carl, products):
    pen = products[0]["id"]
    status, answer = api.post("/order/", {"customer": carl["id"], "products": [pen, pen]})
    assert (status, answer) == (400, {"error": "products: each product at most once"})


@pytest.mark.parametrize("kind", ["customer", "product", "order"])
def test_unknown_id_is_404(api, kind):
    missing = uuid.uuid4()
    assert api.get(f"/{kind}/{missing}/") == (404, {"error": f"no {kind} {missing}"})


def test_id_that_is_not_a_uuid_is_404(api):
    assert api.client.get("/customer/42/").status_code == 404


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
