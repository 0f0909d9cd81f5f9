from mainthing.core import charts


def test_rect_writes_attributes_in_order_and_leaves_out_none():
    assert charts.rect(2, "12.5", 16, 50, css="meter-bg") == (
        '<rect x="2" y="12.5" width="16" height="50" class="meter-bg"></rect>'
    )


def test_rect_with_a_tip_holds_an_escaped_title():
    assert charts.rect(0, 0, 96, 24.0, rx=4, css="block fill-income", tip='Ann <b>"&') == (
        '<rect x="0" y="0" width="96" height="24.0" rx="4" class="block fill-income">'
        "<title>Ann &lt;b&gt;&quot;&amp;</title></rect>"
    )


def test_text_escapes_its_content_and_anchors_when_asked():
    assert charts.text(-6, 4, "<script>", css="hour-label", anchor="end") == (
        '<text x="-6" y="4" text-anchor="end" class="hour-label">&lt;script&gt;</text>'
    )
    assert charts.text(4, 11, "Calls", css="box-label") == (
        '<text x="4" y="11" class="box-label">Calls</text>'
    )


def test_line_with_a_tip():
    assert charts.line(0, 100, 7.5, 7.5, css="now-line", tip="Now") == (
        '<line x1="0" x2="100" y1="7.5" y2="7.5" class="now-line"><title>Now</title></line>'
    )


def test_link_escapes_the_href_and_nests_shapes():
    shape = charts.rect(4, 0, 32, 12, rx=2, css="free")
    assert charts.link('/book/?start=1&x="y"', shape, css="free-slot") == (
        '<a href="/book/?start=1&amp;x=&quot;y&quot;" class="free-slot">'
        '<rect x="4" y="0" width="32" height="12" rx="2" class="free"></rect></a>'
    )


def test_svg_wraps_the_parts_as_a_labelled_image_marked_safe():
    drawn = charts.svg(
        [charts.title("Empty")], view_box="0 0 280 70", label="Fill <rate>", css="chart"
    )
    assert (str(drawn), hasattr(drawn, "__html__")) == (
        '<svg class="chart" viewBox="0 0 280 70" role="img" aria-label="Fill &lt;rate&gt;">'
        "<title>Empty</title></svg>",
        True,
    )


def test_a_chart_with_links_is_a_labelled_group_not_an_image():
    # An image hides its content from screen readers, so links inside one can't be reached.
    drawn = charts.svg(
        [charts.link("/book/", charts.rect(0, 0, 1, 1, css="free"))],
        view_box="0 0 1 1",
        label="Your week",
        interactive=True,
    )
    assert str(drawn).startswith('<svg viewBox="0 0 1 1" role="group" aria-label="Your week">')
