"""Medians, ratios and number formats shared by every section's table, and
the Markdown table itself."""
import statistics


def med(xs):
    return statistics.median(xs) if xs else None


def fmt_rate(v):
    if v is None:
        return "–"
    if v >= 1e6:
        return "%.2fM" % (v / 1e6)
    if v >= 1e3:
        return "%.1fk" % (v / 1e3)
    return "%.0f" % v


def fmt(v, spec):
    return "–" if v is None else spec % v


def ratio(results, scen, impl, base):
    """Median over rounds of impl/base, pairing measurements of one round."""
    rs = []
    for r, by_impl in results[scen].items():
        a, b = by_impl.get(impl), by_impl.get(base)
        if a and b and b.get("mps"):
            rs.append(a["mps"] / b["mps"])
    return med(rs)


def render(hdr, rows):
    w = [max(len(str(r[i])) for r in [hdr] + rows) for i in range(len(hdr))]
    def line(r):
        return "| " + " | ".join(str(c).ljust(w[i]) for i, c in enumerate(r)) + " |"
    sep = "|" + "|".join("-" * (x + 2) for x in w) + "|"
    return "\n".join([line(hdr), sep] + [line(r) for r in rows])
