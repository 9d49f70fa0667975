"""The Chinese names moviegoers read for the catalogue's codes: genres, languages, formats, zones.

The catalogue stores codes (``sci-fi``, ``Mandarin``, ``Laser``, ``premium``); answers carry the
display name beside the code and ``GET /api/v1/dictionary`` serves these tables whole, so the
mini-program and the web pages name things alike. A code without an entry is shown as it is:
formats such as IMAX and 3D are Latin on purpose, and a cinema may add its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

GENRES: Mapping[str, str] = {
    "action": "动作",
    "adventure": "冒险",
    "animation": "动画",
    "biography": "传记",
    "comedy": "喜剧",
    "crime": "犯罪",
    "documentary": "纪录片",
    "drama": "剧情",
    "family": "家庭",
    "fantasy": "奇幻",
    "history": "历史",
    "horror": "恐怖",
    "music": "音乐",
    "musical": "歌舞",
    "mystery": "悬疑",
    "romance": "爱情",
    "sci-fi": "科幻",
    "sports": "运动",
    "thriller": "惊悚",
    "war": "战争",
    "western": "西部",
}

LANGUAGES: Mapping[str, str] = {
    "Mandarin": "国语",
    "Cantonese": "粤语",
    "English": "英语",
    "Japanese": "日语",
    "Korean": "韩语",
    "French": "法语",
    "German": "德语",
    "Spanish": "西班牙语",
    "Hindi": "印地语",
}

FORMATS: Mapping[str, str] = {
    "2D": "2D",
    "3D": "3D",
    "IMAX": "IMAX",
    "IMAX 3D": "IMAX 3D",
    "Laser": "激光",
    "Dolby Cinema": "杜比影院",
    "4DX": "4DX",
    "CINITY": "CINITY",
}

ZONES: Mapping[str, str] = {
    "standard": "普通座",
    "premium": "优选座",
    "couple": "情侣座",
    "vip": "贵宾座",
}

TABLES: Mapping[str, Mapping[str, str]] = {
    "genres": GENRES,
    "languages": LANGUAGES,
    "formats": FORMATS,
    "zones": ZONES,
}


def name_of(table: Mapping[str, str], code: str) -> str:
    """The display name of ``code``, or the code itself when the table has none."""
    return table.get(code, code)


def names_of(table: Mapping[str, str], codes: Iterable[str]) -> list[str]:
    return [name_of(table, code) for code in codes]
