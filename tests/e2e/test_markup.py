"""The main pages of every persona are valid HTML, as the Nu Html Checker (vnu-jar from npm,
run with Java) reads them: one run over all pages, failing on any error."""
import json
import shutil
import subprocess

import pytest

from a11y_pages import VNU_JAR, checker, main_pages

pytestmark = pytest.mark.e2e


def vnu_errors(files) -> list[str]:
    java = shutil.which("java")
    assert java, "Java is needed to run the Nu Html Checker (apt-get install default-jre-headless)"
    run = subprocess.run([java, "-jar", str(checker(VNU_JAR)), "--errors-only", "--format", "json", "--stdout",
                          *map(str, files)], capture_output=True, text=True, timeout=300)
    messages = json.loads(run.stdout)["messages"]
    return [f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']} [{m.get('extract', '').strip()}]"
            for m in messages]


def test_main_pages_of_every_persona_are_valid_html(app, login_as, tmp_path):
    files = []
    for email, paths in main_pages(app).items():
        client = login_as(email) if email else app.test_client()
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (email, path)
            name = f"{email or 'anonymous'}{path}".replace("/", "_").replace("?", "_") + ".html"
            files.append(tmp_path / name)
            files[-1].write_bytes(response.data)
    errors = vnu_errors(files)
    assert not errors, "\n".join(errors)
