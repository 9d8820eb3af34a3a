"""Production settings plus one extra URL: the trivial view the page benchmark compares
every page with. Used only by ``bench/page_bench.py`` (gunicorn ``--pythonpath bench``)."""

from wellschools.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
