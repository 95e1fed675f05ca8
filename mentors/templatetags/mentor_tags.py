from django import template

register = template.Library()


def _indian_grouping(number: int) -> str:
    """12345678 -> 1,23,45,678 (lakh and crore grouping)."""
    digits = str(number)
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return ",".join(groups) + "," + tail


@register.filter
def rupees(paise: int | None) -> str:
    """Paise as rupees for display: 120000 -> ₹1,200; 12050 -> ₹120.50."""
    if paise is None:
        return ""
    sign = "-" if paise < 0 else ""
    rupees_part, paise_part = divmod(abs(int(paise)), 100)
    text = f"{sign}₹{_indian_grouping(rupees_part)}"
    return f"{text}.{paise_part:02d}" if paise_part else text


@register.filter
def star_fill(rating) -> int:
    """How many of five stars to fill for an average rating (rounded to the nearest whole star)."""
    return int(float(rating or 0) + 0.5)
