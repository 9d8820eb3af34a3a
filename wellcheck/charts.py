"""Server-rendered SVG charts: the same picture on the page and in the PDF report."""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

BAR_WIDTH = 360  # pixels for 100 %
ROW_HEIGHT = 44
LEFT = 120


def pillar_chart(results, *, chart_id: str = "pillar-chart") -> SafeString:
    rows = []
    for index, pillar_result in enumerate(results.pillars):
        y = 20 + index * ROW_HEIGHT
        rows.append(
            {
                "name": pillar_result.pillar.name,
                "percent": pillar_result.percent,
                "y": y,
                "bar_y": y - 14,
                "width": round(BAR_WIDTH * pillar_result.percent / 100),
                "label_x": LEFT + round(BAR_WIDTH * pillar_result.percent / 100) + 6,
                "median_x": None
                if pillar_result.median is None
                else LEFT + round(BAR_WIDTH * pillar_result.median / 100),
            }
        )
    height = 20 + len(rows) * ROW_HEIGHT
    return render_to_string(
        "wellcheck/_pillar_chart.svg",
        {
            "rows": rows,
            "height": height,
            "width": LEFT + BAR_WIDTH + 60,
            "left": LEFT,
            "bar_width": BAR_WIDTH,
            "chart_id": chart_id,
            "medians": results.medians_shown,
            "school": results.well_check.school.name,
            "year": results.well_check.year_label,
        },
    )
