"""Server-rendered SVG charts (as ``wellcheck.charts``): the same picture on the page and in
the PDF, each with a title, a description and a table alternative next to it."""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

LEFT = 150
WIDTH = 360  # pixels for 100 % (or the largest value)
ROW = 34


def bar_chart(
    *, rows: list[tuple[str, int]], title: str, chart_id: str, unit: str = ""
) -> SafeString:
    """Horizontal bars, one per (label, value); scaled to the largest value."""
    top = max([value for _, value in rows] + [1])
    bars = []
    for index, (label, value) in enumerate(rows):
        width = round(WIDTH * value / top)
        y = 10 + index * ROW
        bars.append(
            {
                "label": label,
                "value": value,
                "y": y,
                "text_y": y + 14,
                "width": width,
                "value_x": LEFT + width + 6,
            }
        )
    return render_to_string(
        "insight/_bar_chart.svg",
        {
            "bars": bars,
            "title": title,
            "unit": unit,
            "chart_id": chart_id,
            "left": LEFT,
            "width": LEFT + WIDTH + 70,
            "height": 20 + len(rows) * ROW,
        },
    )


def _x(value: float) -> int:
    return LEFT + round(WIDTH * value / 100)


def spread_chart(*, pillars, this_label: str, last_label: str, chart_id: str) -> SafeString:
    """Per pillar a box (quartiles) and whiskers (lowest, highest) for this year, and a
    thinner one for last year beneath it; the median is the dark line."""
    rows = []
    y = 24
    for pillar in pillars:
        boxes = []
        for spread, label, height, colour in (
            (pillar.this_year, this_label, 16, "#0b6b3a"),
            (pillar.last_year, last_label, 10, "#6c757d"),
        ):
            if spread is not None:
                boxes.append(
                    {
                        "label": label,
                        "y": y,
                        "mid": y + height // 2,
                        "height": height,
                        "colour": colour,
                        "low": _x(spread.low),
                        "q1": _x(spread.q1),
                        "median": _x(spread.median),
                        "q3": _x(spread.q3),
                        "high": _x(spread.high),
                        "box_width": max(_x(spread.q3) - _x(spread.q1), 1),
                    }
                )
            y += height + 4
        rows.append({"name": pillar.name, "text_y": y - 14, "boxes": boxes})
        y += 14
    return render_to_string(
        "insight/_spread_chart.svg",
        {
            "rows": rows,
            "chart_id": chart_id,
            "left": LEFT,
            "right": LEFT + WIDTH,
            "middle": LEFT + WIDTH // 2,
            "width": LEFT + WIDTH + 40,
            "height": y + 20,
            "axis_y": y,
            "this_label": this_label,
            "last_label": last_label,
        },
    )


def sparkline(points: list[tuple[int, int]], *, label: str) -> SafeString:
    """A school's overall score over the years: a small line, 0–100 % high."""
    if not points:
        return SafeString("")
    step = 18
    coords = [
        (4 + i * step, 2 + round(26 * (100 - value) / 100)) for i, (_y, value) in enumerate(points)
    ]
    return render_to_string(
        "insight/_sparkline.svg",
        {
            "points": " ".join(f"{x},{y}" for x, y in coords),
            "last": coords[-1],
            "width": 8 + step * max(len(points) - 1, 1),
            "label": label,
        },
    )
