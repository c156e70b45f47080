"""The site's own Sphinx extensions.

- snippet_status (with snippet_reports): the snippet status page, and the line
  under each recipe's title, from the test runs' reports;
- example_archives: each example project as a zip to download;
- reader_project: ``{not-shown}``, the files of a recipe's project its page does
  not show;
- page_weight (with lean_css and lean_js): lighter pages after the build;
- preview: ``python -m cookbook_sphinx.preview``, the writer's live preview.

They are part of the repository's package (pyproject.toml), so conf.py names
them like any installed extension.
"""
