"""Drawings and charts of owned tabs: a drawing part anchoring clustered bar charts.

A chart on an owned tab is a drawing part (SpreadsheetML drawing,
ISO/IEC 29500-1 §20.5: ``wsDr``, ``twoCellAnchor``, ``graphicFrame``) that
refers to one chart part per chart (DrawingML charts §21.2: ``chartSpace``
§21.2.2.29, ``barChart`` §21.2.2.16) whose series point at the owned
sheet's own cells (``strRef``/``numRef``, with caches holding the same
values so every reader draws the chart without recalculating first).

What it may touch in a user's workbook: only drawing and chart parts of an
owned tab (rendered whole, reusing that tab's own old part names); a
picture or chart style a person's tab shares is never touched (see
:func:`.opc._exclusive_parts`).

Why not xlsxwriter's chart writer: it renders charts only as part of a
whole new workbook it writes itself, with its own part names and axis ids;
the splice must write these two parts into an existing package, under names
that stay the same from night to night.
"""

from __future__ import annotations

import datetime as dt
import numbers

from ...outsheet import ChartSpec, OutSheet
from ..owned import cell_at, quote_tab
from .opc import NS_REL
from .sheet import _col, _float_text
from .xmltext import _esc, _xml_safe

_NS_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_NS_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"


def _drawing_xml(charts: list[ChartSpec]) -> bytes:
    anchors = []
    for i, chart in enumerate(charts):
        c0, r0 = max(chart.anchor_col - 1, 0), max(chart.anchor_row - 1, 0)
        c1, r1 = c0 + max(chart.width, 1), r0 + max(chart.height, 1)
        anchors.append(
            "<xdr:twoCellAnchor>"
            f"<xdr:from><xdr:col>{c0}</xdr:col><xdr:colOff>0</xdr:colOff>"
            f"<xdr:row>{r0}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
            f"<xdr:to><xdr:col>{c1}</xdr:col><xdr:colOff>0</xdr:colOff>"
            f"<xdr:row>{r1}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
            '<xdr:graphicFrame macro="">'
            f'<xdr:nvGraphicFramePr><xdr:cNvPr id="{i + 2}" name="Chart {i + 1}"/>'
            "<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>"
            '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
            f'<a:graphic><a:graphicData uri="{_NS_C}">'
            f'<c:chart xmlns:c="{_NS_C}" xmlns:r="{NS_REL}" r:id="rId{i + 1}"/>'
            "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/>"
            "</xdr:twoCellAnchor>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<xdr:wsDr xmlns:xdr="{_NS_XDR}" xmlns:a="{_NS_A}">{"".join(anchors)}</xdr:wsDr>'
    ).encode()


def _chart_xml(out: OutSheet, chart: ChartSpec) -> bytes:
    """A clustered bar/column chart whose data live in the owned sheet.

    The cell ranges are what Excel and LibreOffice chart from; the caches
    (``strCache``/``numCache``) hold the same values so every reader draws
    the chart without recalculating first.
    """
    sheet = quote_tab(out.name, always=True)
    first, last = chart.first_row, max(chart.last_row, chart.first_row)
    count = last - first + 1
    cat_col = _col(chart.categories_col)

    def esc(text: str) -> str:
        return _esc(_xml_safe(text))

    cat_pts = []
    for i, row in enumerate(range(first, last + 1)):
        v = cell_at(out, row, chart.categories_col)
        if v is not None:
            text = v.isoformat() if isinstance(v, dt.date) else str(v)
            cat_pts.append(f'<c:pt idx="{i}"><c:v>{esc(text)}</c:v></c:pt>')
    series = []
    for s_idx, ser in enumerate(chart.series):
        s_first, s_last = ser.first_row, max(ser.last_row, ser.first_row)
        pts = []
        for i, row in enumerate(range(s_first, s_last + 1)):
            v = cell_at(out, row, ser.col)
            if isinstance(v, bool):
                v = int(v)
            if isinstance(v, numbers.Real) and (text := _float_text(v)) is not None:
                pts.append(f'<c:pt idx="{i}"><c:v>{text}</c:v></c:pt>')
        col = _col(ser.col)
        series.append(
            f'<c:ser><c:idx val="{s_idx}"/><c:order val="{s_idx}"/>'
            f"<c:tx><c:v>{esc(ser.name)}</c:v></c:tx>"
            '<c:invertIfNegative val="0"/>'
            f"<c:cat><c:strRef><c:f>{esc(sheet)}!${cat_col}${first}:${cat_col}${last}</c:f>"
            f'<c:strCache><c:ptCount val="{count}"/>{"".join(cat_pts)}</c:strCache></c:strRef></c:cat>'
            f"<c:val><c:numRef><c:f>{esc(sheet)}!${col}${s_first}:${col}${s_last}</c:f>"
            f'<c:numCache><c:formatCode>General</c:formatCode><c:ptCount val="{s_last - s_first + 1}"/>'
            f"{''.join(pts)}</c:numCache></c:numRef></c:val></c:ser>"
        )
    horizontal = chart.kind == "bar"
    cat_pos, val_pos = ("l", "b") if horizontal else ("b", "l")
    # horizontal bars read top-down (a funnel) with the value axis kept at the bottom
    cat_orient = "maxMin" if horizontal else "minMax"
    val_crosses = "max" if horizontal else "autoZero"
    title = (
        "<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr/></a:pPr>"
        f'<a:r><a:rPr lang="en-US"/><a:t>{esc(chart.title)}</a:t></a:r></a:p></c:rich></c:tx>'
        '<c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/>'
        if chart.title
        else '<c:autoTitleDeleted val="1"/>'
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<c:chartSpace xmlns:c="{_NS_C}" xmlns:a="{_NS_A}" xmlns:r="{NS_REL}">'
        '<c:roundedCorners val="0"/>'
        f"<c:chart>{title}<c:plotArea><c:layout/>"
        f'<c:barChart><c:barDir val="{"bar" if horizontal else "col"}"/>'
        '<c:grouping val="clustered"/><c:varyColors val="0"/>'
        f'{"".join(series)}<c:gapWidth val="80"/>'
        '<c:axId val="50010001"/><c:axId val="50010002"/></c:barChart>'
        '<c:catAx><c:axId val="50010001"/>'
        f'<c:scaling><c:orientation val="{cat_orient}"/></c:scaling><c:delete val="0"/>'
        f'<c:axPos val="{cat_pos}"/><c:numFmt formatCode="General" sourceLinked="1"/>'
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        '<c:crossAx val="50010002"/><c:crosses val="autoZero"/><c:auto val="1"/>'
        '<c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        '<c:valAx><c:axId val="50010002"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="{val_pos}"/><c:majorGridlines/>'
        '<c:numFmt formatCode="General" sourceLinked="1"/><c:majorTickMark val="out"/>'
        '<c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/><c:crossAx val="50010001"/>'
        f'<c:crosses val="{val_crosses}"/><c:crossBetween val="between"/></c:valAx>'
        "</c:plotArea>"
        + (
            '<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>'
            if len(series) > 1
            else ""
        )
        + '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>'
    )
    return xml.encode("utf-8")
