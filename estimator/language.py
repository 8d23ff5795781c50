"""The languages the estimator writes its explanations in, and Chinese legal citation."""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["en", "zh"]


def yuan_text(amount: float, lang: Language) -> str:
    """An amount as a lawyer writes it: 人民币12,500元 / 12,500 yuan."""
    whole = f"{amount:,.0f}" if float(amount).is_integer() or amount >= 100 else f"{amount:,.2f}"
    return f"人民币{whole}元" if lang == "zh" else f"{whole} yuan"


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1-99 in Chinese numerals as statutes number their articles: 9 九, 10 十, 49 四十九, 54 五十四."""
    if not 1 <= n <= 99:
        raise ValueError(f"only 1-99 are written here, got {n}")
    tens, units = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else f"{_DIGITS[tens]}十")
    return head + (_DIGITS[units] if units else "")


def statute_zh(title_zh: str) -> str:
    """A statute's title with its book-title marks: 著作权法（2020年修正） gives 《著作权法》（2020年修正）."""
    name, bracket, version = title_zh.partition("（")
    return f"《{name}》{bracket}{version}"


def article_zh(law_zh: str, article: str) -> str:
    """A citation as a Chinese lawyer writes it: ("著作权法（2020年修正）", "art. 54") gives 《著作权法》第五十四条.

    The version in brackets is left out, as in a judgment's citation; an article that is not of the
    form "art. N" is kept as it is.
    """
    return f"《{law_zh.split('（', 1)[0]}》{article_number_zh(article)}"


def article_number_zh(article: str) -> str:
    """`art. 54` as 第五十四条; an article not of the form `art. N` (1-99) is kept as it is."""
    found = re.fullmatch(r"art\. (\d{1,2})", article)
    if found is None or int(found[1]) == 0:
        return article
    return f"第{chinese_number(int(found[1]))}条"


# Every character `article_number_zh` may write, for a font that must cover them.
ARTICLE_NUMBER_CHARACTERS = frozenset("第条十" + _DIGITS[1:])
