"""The demo's films: fictional titles, credits and synopses, twelve showing and two coming soon."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Film:
    title: str
    original_title: str
    genres: tuple[str, ...]
    duration_min: int
    score: float | None  # None: not rated yet (coming soon)
    language: str
    director: str
    cast: tuple[str, ...]
    synopsis: str
    released_days_ago: int  # negative: the days until release
    hot_rank: int = 0  # 1.. for the home carousel

    @property
    def showing(self) -> bool:
        return self.released_days_ago >= 0


FILMS: tuple[Film, ...] = (
    Film(
        "星际归途",
        "The Long Way Home",
        ("sci-fi", "adventure"),
        148,
        8.7,
        "Mandarin",
        "林望舒",
        ("陈一鸣", "苏晚", "Marcus Hale"),
        "货运飞船“归途号”在木星轨道失去动力，船员们只剩七十二小时把一船种子送回地球。",
        12,
        hot_rank=1,
    ),
    Film(
        "长安夜行",
        "Night Watch in Chang'an",
        ("action", "history"),
        132,
        8.2,
        "Mandarin",
        "顾长风",
        ("赵子越", "白芷", "韩青"),
        "上元节前夜，一名不良人必须在坊门关闭前找出潜入长安城的刺客。",
        20,
        hot_rank=2,
    ),
    Film(
        "熊猫特工队",
        "Panda Squad",
        ("animation", "family", "comedy"),
        96,
        7.9,
        "Mandarin",
        "何小满",
        ("团团", "圆圆", "王大锤"),
        "三只熊猫幼崽误入动物园的秘密情报部，要在开园日之前找回失踪的竹子配方。",
        5,
        hot_rank=3,
    ),
    Film(
        "深海回声",
        "Echoes of the Deep",
        ("thriller", "sci-fi"),
        118,
        7.6,
        "English",
        "Ingrid Vale",
        ("Tom Aldridge", "Mei Lin", "Ravi Sen"),
        "A research crew on the ocean floor starts hearing a signal that answers them back.",
        9,
        hot_rank=4,
    ),
    Film(
        "海边的夏天",
        "Summer by the Sea",
        ("drama", "romance"),
        109,
        8.0,
        "Mandarin",
        "周南",
        ("林夏", "许知远"),
        "毕业那年的夏天，两个在海边小镇长大的年轻人要决定各自的去留。",
        15,
        hot_rank=5,
    ),
    Film(
        "雾都迷案",
        "The Fog City Case",
        ("mystery", "crime"),
        124,
        8.4,
        "Mandarin",
        "沈砚",
        ("罗城", "乔安", "孟一帆"),
        "一场持续七天的大雾里，老刑警追查一桩看似不可能完成的密室失踪案。",
        26,
        hot_rank=6,
    ),
    Film(
        "追风少年",
        "Chasing the Wind",
        ("sports", "drama"),
        115,
        7.8,
        "Mandarin",
        "杜青山",
        ("阿力木", "张小北"),
        "新疆牧场的少年骑手第一次走出草原，站上全国马术联赛的赛场。",
        31,
    ),
    Film(
        "龙谷传说",
        "Legend of Dragon Valley",
        ("fantasy", "adventure"),
        139,
        7.5,
        "Mandarin",
        "叶千帆",
        ("秦岚风", "明月", "石敢当"),
        "守谷人的女儿踏上寻找最后一条龙的旅程，却发现龙一直藏在村民的传说里。",
        18,
    ),
    Film(
        "午夜书店",
        "The Midnight Bookshop",
        ("romance", "comedy"),
        102,
        7.3,
        "Mandarin",
        "夏川",
        ("温言", "陆时"),
        "一家只在午夜营业的旧书店，一位总在打烊前出现的神秘读者。",
        40,
    ),
    Film(
        "冰川之下",
        "Beneath the Glacier",
        ("documentary",),
        88,
        9.1,
        "English",
        "Hannah Berg",
        ("Hannah Berg",),
        "Two seasons with the glaciologists who drill into the ice to read ten thousand years of climate.",
        44,
    ),
    Film(
        "最后一班地铁",
        "The Last Train",
        ("comedy", "drama"),
        106,
        8.1,
        "Mandarin",
        "梁一舟",
        ("黄小帅", "邓佳", "马叔"),
        "末班地铁意外停在隧道里，一车陌生人度过了彼此人生中最长的一个小时。",
        7,
    ),
    Film(
        "无声的证人",
        "Silent Witness",
        ("crime", "thriller"),
        127,
        7.7,
        "Cantonese",
        "陈家乐",
        ("黎明轩", "方婷"),
        "唯一目击凶案的聋哑少女，成了警方和凶手同时寻找的人。",
        3,
    ),
    Film(
        "银河外卖",
        "Space Delivery",
        ("comedy", "sci-fi"),
        98,
        None,
        "Mandarin",
        "马骁",
        ("包贝贝", "宋小雨"),
        "2099 年，一位外卖骑手接到一张送往火星基地的订单，限时三十分钟。",
        -10,
    ),
    Film(
        "档案员",
        "The Archivist",
        ("thriller", "mystery"),
        121,
        None,
        "English",
        "Claire Dunmore",
        ("Oliver Grant", "Ada Chen"),
        "A city archivist finds a file about a crime that has not happened yet.",
        -24,
    ),
)
