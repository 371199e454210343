"""The demo's vocabulary (Russian cities with their phone codes and tax regions, company
names, industries, tags, sources, job titles) and valid Russian registration numbers:
shared by the demo workspace and the benchmark generator (bench/generate.py)."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    name: str
    region: str
    area_codes: tuple[str, ...]  # landline codes after +7
    tax_region: str  # the first two digits of INNs and OGRNs registered there
    weight: int


CITIES: list[City] = [
    City("Москва", "Москва", ("495", "499"), "77", 30),
    City("Химки", "Московская область", ("495", "498"), "50", 3),
    City("Мытищи", "Московская область", ("495", "498"), "50", 3),
    City("Балашиха", "Московская область", ("495", "498"), "50", 3),
    City("Подольск", "Московская область", ("496",), "50", 3),
    City("Люберцы", "Московская область", ("495", "498"), "50", 2),
    City("Красногорск", "Московская область", ("495", "498"), "50", 2),
    City("Одинцово", "Московская область", ("495", "498"), "50", 2),
    City("Сергиев Посад", "Московская область", ("496",), "50", 1),
    City("Санкт-Петербург", "Санкт-Петербург", ("812",), "78", 8),
    City("Казань", "Республика Татарстан", ("843",), "16", 3),
    City("Екатеринбург", "Свердловская область", ("343",), "66", 3),
    City("Нижний Новгород", "Нижегородская область", ("831",), "52", 3),
    City("Новосибирск", "Новосибирская область", ("383",), "54", 2),
    City("Краснодар", "Краснодарский край", ("861",), "23", 3),
    City("Ростов-на-Дону", "Ростовская область", ("863",), "61", 2),
    City("Самара", "Самарская область", ("846",), "63", 2),
    City("Воронеж", "Воронежская область", ("473",), "36", 2),
    City("Тула", "Тульская область", ("4872",), "71", 2),
    City("Ярославль", "Ярославская область", ("4852",), "76", 2),
    City("Тверь", "Тверская область", ("4822",), "69", 2),
    City("Калуга", "Калужская область", ("4842",), "40", 2),
    City("Рязань", "Рязанская область", ("4912",), "62", 1),
    City("Владимир", "Владимирская область", ("4922",), "33", 1),
    City("Челябинск", "Челябинская область", ("351",), "74", 1),
    City("Пермь", "Пермский край", ("342",), "59", 1),
    City("Уфа", "Республика Башкортостан", ("347",), "02", 1),
]
CITY_WEIGHTS = [c.weight for c in CITIES]
MOSCOW_REGIONS = ("Москва", "Московская область")
# Mobile operator codes (+7 9xx) that phonenumbers accepts whole.
MOBILE_CODES: tuple[str, ...] = (
    "903",
    "905",
    "906",
    "909",
    "910",
    "915",
    "916",
    "917",
    "919",
    "920",
    "921",
    "925",
    "926",
    "927",
)
MOBILE_CODES += ("929", "950", "951", "952", "960", "961", "964", "977", "980", "985", "987", "999")

# (industry, kinds of activity, weight)
COMPANY_TYPES: list[tuple[str, tuple[str, ...], int]] = [
    ("Строительство", ("Жилищное строительство", "Коммерческая недвижимость", "Генеральный подряд"), 30),
    ("Девелопмент", ("Жилые комплексы", "Коттеджные посёлки", "Складские комплексы"), 12),
    ("Оптовая торговля стройматериалами", ("Дилер кирпича и блоков", "Торговый дом", "Поставки цемента"), 25),
    ("Розничная торговля", ("Строительный магазин", "Гипермаркет товаров для дома"), 10),
    ("Производство стройматериалов", ("Производство бетона", "Производство ЖБИ", "Кирпичный завод"), 8),
    ("Ремонт и отделка", ("Ремонт квартир", "Фасадные работы", "Кровельные работы"), 10),
    ("Дорожное строительство", ("Строительство дорог", "Благоустройство территорий"), 5),
]
NAME_ROOTS = [
    "Строй",
    "Бетон",
    "Кирпич",
    "Монолит",
    "Гранит",
    "Блок",
    "Кров",
    "Фасад",
    "Камень",
    "Керамик",
    "Терра",
    "Стандарт",
    "Профи",
    "Мастер",
    "Альфа",
    "Вектор",
    "Прогресс",
    "Север",
    "Юг",
    "Урал",
    "Волга",
    "Нева",
    "Сибирь",
    "Евро",
    "Гарант",
    "Лидер",
    "Капитал",
    "Форт",
    "Арсенал",
    "Квартал",
    "Град",
    "Мегаполис",
    "Горизонт",
    "Регион",
    "Меридиан",
    "Атлант",
    "Ковчег",
    "Зодчий",
    "Опора",
    "Цемент",
]
NAME_SUFFIXES = [
    "Инвест",
    "Торг",
    "Снаб",
    "Комплект",
    "Сервис",
    "Групп",
    "Трейд",
    "Маркет",
    "Девелопмент",
    "Строй",
    "Проект",
    "Пром",
    "Ресурс",
    "Монтаж",
    "Дом",
    "Материалы",
    "Логистик",
]
LEGAL_FORMS = {
    "ООО": "Общество с ограниченной ответственностью",
    "АО": "Акционерное общество",
    "ПАО": "Публичное акционерное общество",
    "ЗАО": "Закрытое акционерное общество",
}
ENGLISH_NOUNS = (
    "Building Supplies",
    "Construction",
    "Materials",
    "Stone Trading",
    "Timber",
    "Development",
    "Brickworks",
)
ENGLISH_FORMS = ("LLC", "Ltd", "Inc.")
TAGS = ["бетон", "кирпич", "газобетон", "кровля", "опт", "розница", "VIP", "тендер", "самовывоз", "доставка"]
TAGS += ["постоплата", "новостройки", "частный дом"]
SOURCES = ["Сайт", "Рекомендация", "Выставка «СтройЭкспо»", "Холодный звонок", "Входящий звонок", "Яндекс Директ"]
SOURCES += ["Тендер", "Партнёр", "Повторное обращение"]
STATUS_WEIGHTS = {"cold": 25, "considering": 18, "ready_to_buy": 10, "client": 20, "regular_client": 20, "inactive": 7}
JOB_TITLES: list[tuple[str, str]] = [
    ("Генеральный директор", "Дирекция"),
    ("Коммерческий директор", "Дирекция"),
    ("Директор по закупкам", "Отдел закупок"),
    ("Менеджер по снабжению", "Отдел снабжения"),
    ("Снабженец", "Отдел снабжения"),
    ("Главный инженер", "Технический отдел"),
    ("Инженер ПТО", "Производственно-технический отдел"),
    ("Руководитель проекта", "Проектный офис"),
    ("Прораб", "Строительный участок"),
    ("Главный бухгалтер", "Бухгалтерия"),
]
OCCUPATIONS: tuple[str, ...] = (
    "Инженер",
    "Предприниматель",
    "Врач",
    "Учитель",
    "Программист",
    "Архитектор",
    "Юрист",
    "Бухгалтер",
)
OCCUPATIONS += ("Дизайнер интерьеров", "Военнослужащий", "Пенсионер")
PREFERENCES: tuple[str, ...] = (
    "Облицовочный кирпич, красный",
    "Газобетон для дачи",
    "Тёплая керамика",
    "Клинкерная плитка",
)
PREFERENCES += ("Доставка манипулятором", "Только безналичный расчёт", "Звонить после 18:00")
CONTACT_CHANNELS = ["Телефон", "E-mail", "Telegram", "WhatsApp", "Лично"]
FREE_MAIL = ("mail.ru", "yandex.ru", "gmail.com", "bk.ru", "list.ru", "inbox.ru", "rambler.ru")

_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "-",
            "y",
            "-",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)


def transliterate(text: str) -> str:
    """Lower-case Latin letters for a Russian word (for e-mail addresses and domains)."""
    out = []
    for ch in text.lower():
        if ch in _TRANSLIT:
            out.append("" if _TRANSLIT[ch] == "-" else _TRANSLIT[ch])
        elif ch.isascii() and ch.isalnum():
            out.append(ch)
        elif ch in " -" and out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")


# --- Registration numbers with their check digits ---------------------------------------


def _check(digits: str, weights: tuple[int, ...]) -> str:
    return str(sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)


def company_inn(rng: random.Random, tax_region: str) -> str:
    """A valid 10-digit INN of an organisation: region, tax office, record, check digit."""
    body = f"{tax_region}{rng.randrange(1, 100):02d}{rng.randrange(100_000):05d}"
    return body + _check(body, (2, 4, 10, 3, 5, 9, 4, 6, 8))


def person_inn(rng: random.Random, tax_region: str) -> str:
    """A valid 12-digit INN of a person or an individual entrepreneur (two check digits)."""
    body = f"{tax_region}{rng.randrange(1, 100):02d}{rng.randrange(1_000_000):06d}"
    body += _check(body, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8))
    return body + _check(body, (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8))


def company_kpp(inn: str) -> str:
    """The KPP of a head office: the INN's tax office, reason 01, number 001."""
    return f"{inn[:4]}01001"


def company_ogrn(rng: random.Random, tax_region: str) -> str:
    """A valid 13-digit OGRN: sign 1, year, region, record, check digit (mod 11)."""
    body = f"1{rng.randrange(2, 24):02d}{tax_region}{rng.randrange(10_000_000):07d}"
    return body + str(int(body) % 11 % 10)


def entrepreneur_ogrnip(rng: random.Random, tax_region: str) -> str:
    """A valid 15-digit OGRNIP: sign 3, year, region, record, check digit (mod 13)."""
    body = f"3{rng.randrange(4, 24):02d}{tax_region}{rng.randrange(1_000_000_000):09d}"
    return body + str(int(body) % 13 % 10)


def mobile_phone(rng: random.Random) -> str:
    """A Russian mobile number in E.164."""
    return f"+7{rng.choice(MOBILE_CODES)}{rng.randrange(1_000_000, 10_000_000)}"


def landline_phone(rng: random.Random, city: City) -> str:
    """A landline number of `city` in E.164 (10 national digits)."""
    code = rng.choice(city.area_codes)
    local = 10 - len(code)
    return f"+7{code}{rng.randrange(10 ** (local - 1) * 2, 10**local)}"


def typed_phone(rng: random.Random, e164: str) -> str:
    """The number as people type it: "8 (916) 123-45-67", "+7 916 123 45 67"…"""
    d = e164[2:]
    style = rng.randrange(4)
    if style == 0:
        return f"8 ({d[:3]}) {d[3:6]}-{d[6:8]}-{d[8:]}"
    if style == 1:
        return f"+7 {d[:3]} {d[3:6]} {d[6:8]} {d[8:]}"
    if style == 2:
        return f"+7 ({d[:3]}) {d[3:6]}-{d[6:8]}-{d[8:]}"
    return f"8{d}"
