"""The distribution of answers per area as a server-rendered SVG (page and PDF alike)."""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

BAR_WIDTH = 400
ROW_HEIGHT = 36
LEFT = 170
# From "strongly disagree" to "strongly agree": a diverging palette that stays apart in
# greyscale; each segment also carries its percentage in the table beside the chart.
COLOURS = ("#8c1c13", "#d9730d", "#9e9e9e", "#4c9a6a", "#0b6b3a")


def distribution_bars(results, *, chart_id: str = "distribution") -> SafeString:
    rows = []
    for index, area_result in enumerate(results.areas):
        y = 8 + index * ROW_HEIGHT
        x = LEFT
        segments = []
        for point, percent in enumerate(area_result.distribution):
            width = round(BAR_WIDTH * percent / 100, 1)
            segments.append({"x": x, "width": width, "colour": COLOURS[point]})
            x += width
        rows.append(
            {
                "name": area_result.area.name,
                "score": area_result.score,
                "y": y,
                "text_y": y + 14,
                "segments": segments,
            }
        )
    return render_to_string(
        "staffsurvey/_distribution.svg",
        {
            "rows": rows,
            "height": 16 + len(rows) * ROW_HEIGHT,
            "width": LEFT + BAR_WIDTH + 50,
            "left": LEFT,
            "score_x": LEFT + BAR_WIDTH + 8,
            "chart_id": chart_id,
            "school": results.survey.school.name,
        },
    )
