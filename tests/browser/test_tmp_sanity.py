import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import AXE_OPTIONS  # noqa

def test_axe_catches(page, check_a11y):
    page.set_content('<html><body><img src="x.png"><button></button><div style="color:#aaa;background:#fff">low</div></body></html>')
    with pytest.raises(AssertionError) as e:
        check_a11y(page)
    print(str(e.value)[:1500])

@pytest.mark.django_db(transaction=True)
def test_incomplete(page, live_server):
    for path in ["/", "/accounts/login/"]:
        page.goto(live_server.url + path)
        r = Axe().run(page, options={**AXE_OPTIONS, "resultTypes": ["violations", "incomplete"]})
        print(path, [(i["id"], len(i["nodes"])) for i in r.response["incomplete"]], len(r.response["passes"]))
