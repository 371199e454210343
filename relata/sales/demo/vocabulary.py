"""The words and figures of the demo's deals, in Russian and English (English-speaking
clients get English titles and notes, as their activities are in English): what a
building-materials supplier sells to builders and to private buyers, at what prices,
against which competitors, and why sales fall through.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Goods:
    """Something the deal is about. `unit` is the Russian unit's forms (1, 2, 5: поддон,
    поддона, поддонов) or "" for a piece of equipment; the amount is the price of one
    unit times a quantity drawn from `quantities`, within the price's ±`spread` %."""

    ru: str
    en: str
    price: int  # roubles per unit
    quantities: tuple[int, ...]
    unit: tuple[str, str, str] = ("поддон", "поддона", "поддонов")
    unit_en: str = "pallets"
    spread: int = 6
    weight: int = 10


PIECES = ("шт.", "шт.", "шт.")
TONNES = ("т", "т", "т")
SQUARE_METRES = ("м²", "м²", "м²")
BAGS = ("мешок", "мешка", "мешков")

# Builders, developers and dealers: materials by the pallet and the equipment of a yard.
B2B_GOODS = [
    Goods(
        "Кирпич облицовочный М150, красный",
        "M150 red facing brick",
        14_500,
        (20, 30, 40, 60, 80, 120, 200, 400),
        weight=22,
    ),
    Goods(
        "Кирпич рядовой полнотелый М200", "M200 solid common brick", 11_800, (30, 40, 60, 100, 150, 300, 600), weight=18
    ),
    Goods("Газобетонный блок D500", "D500 aerated concrete block", 9_600, (30, 48, 60, 96, 150, 300, 800), weight=16),
    Goods("Керамический блок 10,7 NF", "10.7 NF ceramic block", 17_200, (20, 40, 60, 100, 200, 400), weight=9),
    Goods("Клинкерный кирпич, коричневый", "brown clinker brick", 28_000, (8, 12, 20, 40, 80, 150), weight=5),
    Goods("Цемент М500 Д0, мешки по 50 кг", "M500 cement, 50 kg bags", 21_000, (10, 20, 40, 80, 150, 300), weight=8),
    Goods("Тротуарная плитка «Старый город»", "“Old Town” paving stones", 12_400, (20, 40, 80, 150, 300), weight=6),
    Goods(
        "Кладочная сетка и арматура А500С",
        "A500C rebar and masonry mesh",
        78_000,
        (3, 5, 8, 15, 25, 40),
        TONNES,
        "t",
        weight=5,
    ),
    Goods(
        "Бетоносмеситель СБР-500", "SBR-500 concrete mixer", 168_000, (1, 2, 3, 4), PIECES, "units", spread=4, weight=4
    ),
    Goods(
        "Виброплита и глубинные вибраторы",
        "plate compactor and poker vibrators",
        96_000,
        (2, 3, 4, 6, 8),
        PIECES,
        "sets",
        spread=5,
        weight=3,
    ),
    Goods(
        "Строительные леса, комплект на 1 000 м²",
        "scaffolding, a 1,000 m² set",
        640_000,
        (1, 2, 3),
        PIECES,
        "sets",
        spread=8,
        weight=3,
    ),
    Goods(
        "Вибропресс для плитки и блоков",
        "block and paver making machine",
        4_200_000,
        (1,),
        PIECES,
        "",
        spread=35,
        weight=2,
    ),
    Goods(
        "Растворобетонный узел РБУ-20",
        "RBU-20 concrete batching plant",
        7_400_000,
        (1,),
        PIECES,
        "",
        spread=30,
        weight=2,
    ),
    Goods(
        "Комплексная поставка: кирпич, блок и смеси",
        "a full package: brick, blocks and mortar",
        9_500_000,
        (1,),
        PIECES,
        "",
        spread=45,
        weight=2,
    ),
]
B2B_MIN, B2B_MAX = 100_000, 15_000_000

# Private buyers building a house, a bath house or a fence.
B2C_GOODS = [
    Goods("Газобетон D500", "D500 aerated concrete blocks", 9_600, (6, 8, 10, 12, 14, 16), weight=20),
    Goods("Кирпич облицовочный М150", "M150 facing brick", 14_500, (3, 4, 6, 8, 10, 12), weight=18),
    Goods("Керамический блок 10,7 NF", "10.7 NF ceramic blocks", 17_200, (6, 8, 10, 14, 16), weight=8),
    Goods("Клинкер для крыльца и цоколя", "clinker brick for the porch", 28_000, (1, 2, 3, 4), weight=6),
    Goods(
        "Тротуарная плитка",
        "paving stones",
        1_150,
        (30, 45, 60, 90, 120, 150),
        SQUARE_METRES,
        "m²",
        spread=8,
        weight=14,
    ),
    Goods("Цемент М500", "M500 cement", 520, (10, 20, 30, 40, 60), BAGS, "bags", spread=4, weight=14),
    Goods(
        "Кладочная смесь и сетка",
        "mortar mix and mesh",
        4_800,
        (1, 2, 3, 5),
        ("комплект", "комплекта", "комплектов"),
        "sets",
        spread=10,
        weight=10,
    ),
]
B2C_MIN, B2C_MAX = 5_000, 300_000

SITES = {
    "ru": [
        "ЖК «Северный квартал», корпус 3",
        "ЖК «Лесной», 2-я очередь",
        "ЖК «Речной», корпус 1",
        "коттеджный посёлок «Сосновый берег»",
        "школа на 550 мест",
        "торговый центр на Ленинском проспекте",
        "складской комплекс в Подольске",
        "таунхаусы в Одинцово",
        "реконструкция фасада на Тверской",
        "поликлиника в Мытищах",
        "детский сад в Коммунарке",
        "бетонный узел на объекте",
        "склад дилера",
    ],
    "en": [
        "the Riverside business park",
        "a warehouse in Podolsk",
        "an office building on Leninsky Prospekt",
        "townhouses in Odintsovo",
        "the new showroom",
        "a logistics centre in Khimki",
    ],
}
PROJECTS = {
    "ru": [
        "дом 10×12 в СНТ «Рассвет»",
        "дом 9×9 с мансардой",
        "баня 6×4 на даче",
        "гараж на две машины",
        "забор из облицовочного кирпича",
        "пристройка к дому",
        "дом 8×10 в Истринском районе",
        "дорожки и площадка у дома",
    ],
    "en": ["a 10×12 m house near Istra", "a garage for two cars", "a garden wall", "a summer house", "a 9×9 m cottage"],
}
REPEAT = {"ru": "Повторный заказ: ", "en": "Repeat order: "}

PAYMENT_TERMS = {
    "ru": ["100% предоплата", "50% аванс, остаток перед отгрузкой", "отсрочка 14 дней", "отсрочка 30 дней по договору"],
    "en": ["100% prepayment", "50% advance, the rest before shipment", "30 days' credit"],
}
DESCRIPTIONS = {
    "ru": [
        "Объект: {site}. Оплата: {terms}. Доставка длинномером, разгрузка манипулятором.",
        "Поставка частями по графику стройки. Оплата: {terms}.",
        "Нужны сертификаты и паспорта качества на каждую партию. Оплата: {terms}.",
        "Тендер заказчика, решение принимает отдел снабжения. Оплата: {terms}.",
        "Самовывоз со склада в Подольске. Оплата: {terms}.",
    ],
    "en": [
        "Site: {site}. Payment: {terms}. Delivered by truck with a crane.",
        "Deliveries to the construction schedule.",
    ],
}
B2C_DESCRIPTIONS = {
    "ru": [
        "Объект: {project}. Доставка на участок, разгрузка манипулятором.",
        "Самовывоз, приедет на своей газели.",
        "Просил подобрать цвет под кровлю, показали образцы в шоуруме.",
        "Нужна доставка в выходные.",
    ],
    "en": ["For {project}. Delivery to the plot.", "Will collect from the yard."],
}

# Named on the deals where the client compared offers.
COMPETITORS = ["ЛСР", "Браер", "Кирпичный завод №1", "Wienerberger", "Bonolit", "Евроцемент", "Кетра", "СтройДвор"]
COMPETITOR_WEIGHTS = [22, 20, 16, 10, 10, 8, 8, 6]
B2C_COMPETITORS = ["Петрович", "Леруа Мерлен", "ОБИ", "Стройбаза на Каширке"]

# Why deals fall through, in the manager's words ({competitor} and {pct} filled in).
LOSS_NOTES = {
    "ru": {
        "price": [
            "Нашли дешевле на {pct}%: {competitor} дал цену ниже нашей.",
            "Просили скидку {pct}%, смогли дать только 3%.",
            "Смету объекта урезали, берут самое дешёвое.",
            "Для них дорого с доставкой, ищут поставщика ближе к объекту.",
        ],
        "competitor": [
            "Выбрали {competitor}: у них склад ближе к объекту.",
            "Ушли к {competitor} — там отсрочка платежа 60 дней.",
            "{competitor} дал цену завода и доставку в подарок.",
            "Генподрядчик работает с {competitor} по рамочному договору.",
        ],
        "no_budget": [
            "Финансирование объекта заморожено до весны.",
            "Заказчик не перечислил аванс, стройка стоит.",
            "Банк не одобрил кредитную линию.",
        ],
        "no_need": [
            "Проект перевели на монолит, кирпич не нужен.",
            "Закупили материал заранее, до конца года не нужно.",
            "Объект передали другому подрядчику.",
        ],
        "terms": [
            "Нужна отгрузка за 3 дня, у нас 10 дней на этот цвет.",
            "Не устроила предоплата, работают только с отсрочкой.",
            "Нужна доставка на объект без подъезда для длинномера.",
        ],
        "no_answer": [
            "Три звонка и два письма без ответа.",
            "Снабженец уволился, новый не выходит на связь.",
            "Перестали отвечать после КП.",
        ],
    },
    "en": {
        "price": ["Found it {pct}% cheaper elsewhere.", "Asked for {pct}% off; we could give 3%."],
        "competitor": ["Chose {competitor}: their warehouse is closer to the site.", "Went with {competitor}."],
        "no_budget": ["The project's funding is frozen until spring."],
        "no_need": ["They switched the design to cast concrete."],
        "terms": ["They need delivery in three days; we need ten."],
        "no_answer": ["No answer to three calls and two letters."],
    },
}
B2C_LOSS_NOTES = {
    "ru": {
        "price": ["Взял дешевле в «{competitor}».", "Дорого, решил отложить облицовку на следующий год."],
        "competitor": ["Купил в «{competitor}» с доставкой в тот же день.", "Взял у соседа-перекупщика."],
        "no_budget": ["Стройку отложили: не хватило денег на фундамент."],
        "no_need": ["Передумал строить баню в этом году.", "Материал остался с прошлого сезона."],
        "terms": ["Нужна доставка в субботу, машин не было.", "Не устроила разгрузка: нет подъезда к участку."],
        "no_answer": ["Не берёт трубку после счёта.", "Не отвечает ни на звонки, ни в мессенджере."],
    },
    "en": {
        "price": ["Bought cheaper at {competitor}."],
        "competitor": ["Bought at {competitor}."],
        "no_budget": ["Postponed the build."],
        "no_need": ["Changed his mind."],
        "terms": ["Needed Saturday delivery."],
        "no_answer": ["Stopped answering after the invoice."],
    },
}


def plural(number: int, forms: tuple[str, str, str]) -> str:
    """The Russian form of a unit for `number`: 1 поддон, 2 поддона, 5 поддонов."""
    if number % 10 == 1 and number % 100 != 11:
        return forms[0]
    if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        return forms[1]
    return forms[2]
