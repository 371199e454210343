"""The words of the demo's activities and tasks, in Russian and English: what a brick
supplier's managers write in a CRM. Each entry is a list of variants (`str.format`
templates); the story picks one with its seeded random generator.

Placeholders: {product} {qty} {site} {project} {doc} {pay} {amount} {date} {year}
{last_year} {discount} {me} (the author), {contact} (how a letter greets the client), {signature}
(how the client signs).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    ru: str
    en: str
    pallet_price: int  # roubles per pallet


PRODUCTS = [
    Product("кирпич облицовочный М150, красный", "M150 red facing brick", 14_500),
    Product("кирпич рядовой полнотелый М200", "M200 solid common brick", 11_800),
    Product("газобетонный блок D500 600×300×200", "D500 aerated concrete block 600×300×200", 9_600),
    Product("керамический блок 10,7 NF", "10.7 NF ceramic block", 17_200),
    Product("клинкерный кирпич, коричневый", "brown clinker brick", 28_000),
    Product("цемент М500, мешки по 50 кг", "M500 cement, 50 kg bags", 21_000),
    Product("тротуарная плитка «Старый город»", "“Old Town” paving stones", 12_400),
]
PRODUCT_WEIGHTS = [30, 22, 18, 10, 5, 8, 7]

SITES = {
    "ru": [
        "ЖК «Северный квартал», корпус 3",
        "ЖК «Лесной», 2-я очередь",
        "коттеджный посёлок «Сосновый берег»",
        "школа на 550 мест",
        "торговый центр на Ленинском проспекте",
        "складской комплекс в Подольске",
        "таунхаусы в Одинцово",
        "реконструкция фасада на Тверской",
        "поликлиника в Мытищах",
        "ЖК «Речной», корпус 1",
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
# What private buyers build.
PROJECTS = {
    "ru": [
        "дом 10×12 в СНТ «Рассвет»",
        "дом 9×9 с мансардой",
        "баня 6×4 на даче",
        "гараж на две машины",
        "забор из облицовочного кирпича",
        "пристройка к дому",
        "дом 8×10 в Истринском районе",
    ],
    "en": ["a 10×12 m house near Istra", "a garage for two cars", "a garden wall", "a summer house", "a 9×9 m cottage"],
}

# Russian plural forms of "pallet": 1 поддон, 2 поддона, 5 поддонов.
PALLET_FORMS = ("поддон", "поддона", "поддонов")

OUTCOME_NOTES = {
    "ru": {
        "interested": ["Интересно, просит держать в курсе цен", "Готовы рассмотреть, если цена будет ниже"],
        "asked_for_offer": ["Просит прайс и условия доставки", "Ждёт КП до конца недели", "Нужен расчёт с доставкой"],
        "agreed_to_meet": ["Договорились о встрече на следующей неделе", "Готов принять нас на объекте"],
        "thinking": ["Сравнивает с другим поставщиком", "Решение за директором", "Ждут утверждения сметы"],
        "call_later": ["Просил перезвонить через неделю", "Сейчас в отпуске, перезвонить позже"],
        "no_answer": ["Не берут трубку", "Секретарь не соединил"],
        "has_supplier": ["Работают с заводом напрямую", "Есть постоянный поставщик, цена ниже на 5%"],
        "refused": ["Объект заморожен", "Не наш профиль: нужен только бетон"],
    },
    "en": {
        "interested": ["Interested, wants to hear about prices", "Will consider if the price is right"],
        "asked_for_offer": ["Wants the price list and delivery terms", "Expects an offer by Friday"],
        "agreed_to_meet": ["Meeting agreed for next week", "Invited us to the site"],
        "thinking": ["Comparing with another supplier", "The director decides"],
        "call_later": ["Asked to call back next week", "On holiday, call later"],
        "no_answer": ["Nobody answers", "The receptionist would not put us through"],
        "has_supplier": ["Buy directly from the plant", "Have a regular supplier"],
        "refused": ["The project is on hold", "Only need concrete"],
    },
}

TEXTS: dict[str, dict[str, list[str]]] = {
    "ru": {
        # --- first contact
        "call_first_out": ["Первичный звонок", "Холодный звонок: знакомство", "Звонок: предложили сотрудничество"],
        "call_first_out_body": [
            "<p>Представились, рассказали о складе в Подольске и доставке манипулятором.</p>",
            "<p>Коротко о нас: кирпич и блоки со склада, доставка по области за 1–2 дня.</p>",
        ],
        "call_first_in": ["Входящий звонок: {product} — цена и наличие", "Входящий звонок: запрос цены"],
        "call_first_in_body": [
            "<p>Спрашивали цену: {product}, объём около {qty}. Объект: {site}.</p>",
            "<p>Нужно: {product}, ориентировочно {qty}, объект — {site}. Просили прайс на почту.</p>",
        ],
        "email_first_in": ["Запрос цены: {product}", "Запрос КП: поставка на объект {site}"],
        "email_first_in_body": [
            "<p>Добрый день!</p><p>Просим направить прайс-лист и условия доставки на объект {site}. "
            "Ориентировочный объём — {qty}.</p><p>С уважением,<br>{signature}</p>",
            "<p>Здравствуйте.</p><p>Интересует {product}, {qty}. Пришлите, пожалуйста, цены с доставкой.</p>"
            "<p>{signature}</p>",
        ],
        "exhibition_note": ["Выставка «СтройЭкспо»: посетили наш стенд"],
        "exhibition_note_body": [
            "<p>Подошли на стенд, взяли каталог и образцы облицовочного кирпича. "
            "Интересуются поставками на <strong>{site}</strong>.</p>",
        ],
        # --- price list
        "price_list_doc": ["Прайс-лист на {year} год", "Прайс-лист и условия доставки"],
        "price_list_email": ["Прайс-лист ООО «Кирпичный двор»", "Цены на кирпич и блоки, {year}"],
        "price_list_email_body": [
            "<p>Добрый день, {contact}!</p><p>Как договаривались, направляю прайс-лист. Доставка по Москве "
            "и области — от 1 дня, разгрузка манипулятором.</p><p>С уважением,<br>{me}</p>",
            "<p>{contact}, здравствуйте!</p><p>Во вложении актуальные цены. На объём от 20 поддонов "
            "готовы обсудить скидку.</p><p>{me}<br>ООО «Кирпичный двор»</p>",
        ],
        # --- call back
        "call_back": ["Звонок по прайс-листу", "Обсуждение прайс-листа", "Уточнили объём и сроки"],
        "call_back_body": [
            "<p>Прайс получили. Сравнивают с текущим поставщиком, главное — сроки доставки.</p>",
            "<p>Уточнили объём: {qty}, поставка частями по графику стройки.</p>",
            "<p>Обсудили цену за поддон и оплату: просят отсрочку 14 дней.</p>",
        ],
        # --- offer
        "offer_doc": ["Коммерческое предложение № {doc}"],
        "offer_email": ["Коммерческое предложение № {doc}: {product}"],
        "offer_email_body": [
            "<p>Добрый день, {contact}!</p><p>Направляю коммерческое предложение: {product}, {qty}, "
            "с доставкой на объект. Сумма — {amount}.</p><p>Предложение действует 14 дней.</p>"
            "<p>С уважением,<br>{me}</p>",
        ],
        "discount_email": ["Re: Коммерческое предложение № {doc}: {product}"],
        "discount_email_body": [
            "<p>Добрый день!</p><p>Предложение рассмотрели. Просим скидку {discount}% — у конкурента цена ниже.</p>"
            "<p>{signature}</p>",
            "<p>Здравствуйте.</p><p>В целом устраивает, но бюджет объекта ограничен. "
            "Сможете дать {discount}% при оплате за 5 дней?</p><p>{signature}</p>",
        ],
        "discount_doc": ["Коммерческое предложение № {doc} со скидкой {discount}%"],
        # --- meetings
        "meeting": [
            "Встреча в офисе клиента: условия поставки",
            "Встреча у нас в офисе: образцы и цены",
            "Переговоры по договору поставки",
        ],
        "meeting_body": [
            "<p>Обсудили:</p><ul><li>график поставок на {site};</li><li>цену: {product};</li>"
            "<li>оплату: 50% предоплата, остаток по факту.</li></ul>",
            "<p>Показали образцы, выбор клиента: {product}. Договорились о пробной партии, {qty}.</p>",
        ],
        "visit": ["Выезд на объект: {site}", "Осмотр площадки для разгрузки: {site}"],
        "visit_body": [
            "<p>Посмотрели подъезды и место складирования. Манипулятор проходит, разгрузка с улицы.</p>",
            "<p>На объекте встретились с прорабом. Нужна поставка частями, по {qty} в неделю.</p>",
        ],
        "planned_meeting": ["Встреча: планы закупок на следующий квартал", "Встреча с директором по закупкам"],
        "planned_visit": ["Выезд на объект: {site}", "Показ образцов на объекте"],
        "quarter_meeting": ["Итоги квартала и планы закупок", "Встреча: объёмы на следующий сезон"],
        "quarter_meeting_body": [
            "<p>За квартал отгрузили {qty}. Планы: {site}, старт в следующем месяце.</p>"
            "<p>Просят зафиксировать цену на полгода.</p>",
        ],
        # --- contract and money
        "contract_doc": ["Договор поставки № {doc}"],
        "contract_signed": ["Подписанный договор поставки № {doc}"],
        "invoice_doc": ["Счёт № {doc}: {product}", "Счёт на предоплату № {doc}"],
        "payment_doc": ["Платёжное поручение № {pay} по счёту № {doc}"],
        "payment_note": ["Оплата по счёту № {doc} поступила"],
        "payment_note_body": ["<p>Оплата поступила, отгрузку поставили на {date}.</p>"],
        "guarantee_letter": ["Гарантийное письмо об оплате счёта № {doc}"],
        "reconciliation_letter": ["Акт сверки взаиморасчётов за {last_year} год"],
        "shipment_doc": ["УПД № {doc} (отгрузка {date})", "Товарная накладная № {doc}"],
        # --- repeat orders
        "order_email": ["Заявка на поставку: {product}, {qty}", "Заявка на {date}"],
        "order_email_body": [
            "<p>Добрый день!</p><p>Просим отгрузить: {product}, {qty}. Объект: {site}. Выставьте счёт.</p>"
            "<p>{signature}</p>",
            "<p>Здравствуйте, {me}!</p><p>Нужна ещё партия: {product}, {qty}. Доставка как в прошлый раз.</p>"
            "<p>Спасибо!<br>{signature}</p>",
        ],
        "order_call": ["Заявка по телефону: {product}, {qty}", "Входящий звонок: новая заявка"],
        "order_reply": ["Re: Заявка на поставку: {product}, {qty}"],
        "order_reply_body": ["<p>{contact}, добрый день!</p><p>Счёт во вложении, отгрузка {date}.</p><p>{me}</p>"],
        "shipment_note": ["Отгрузка согласована", "Доставка: время разгрузки"],
        "shipment_note_body": [
            "<p>Машина на {date}, разгрузка с 9:00. На объекте встретит прораб.</p>",
            "<p>Отгружаем {qty} двумя машинами. <em>Пропуск на объект заказан.</em></p>",
        ],
        "message_out": ["Сообщение в Telegram: время разгрузки", "WhatsApp: отправили фото партии"],
        "message_in": ["Сообщение в WhatsApp: машина на месте", "Telegram: просят перенести доставку"],
        "complaint_call": ["Претензия: бой кирпича при доставке", "Претензия: задержка машины"],
        "complaint_body": [
            "<p>На разгрузке обнаружили бой: около 3% поддона. Договорились заменить со следующей партией.</p>",
        ],
        # --- keeping in touch, losing the client
        "nurture_call": ["Напомнить о себе", "Звонок: есть ли новые объекты", "Плановый звонок"],
        "nurture_email": ["Весенние цены на кирпич и блоки", "Новинка: клинкерный кирпич со склада"],
        "nurture_email_body": [
            "<p>Добрый день, {contact}!</p><p>С 1 марта действуют сезонные цены. Скидка 5%: {product}.</p><p>{me}</p>",
        ],
        "lost_call": ["Звонок: возобновить закупки", "Почему пропали закупки"],
        "lost_note": ["Клиент ушёл к другому поставщику"],
        "lost_note_body": [
            "<p>Перешли на завод напрямую: цена ниже на 7%. Обещали вернуться, если будут проблемы со сроками.</p>",
        ],
        # --- private buyers
        "buyer_call_in": ["Входящий звонок: расчёт материалов", "Входящий звонок: {project}"],
        "buyer_call_in_body": ["<p>Строит: {project}. Нужно: {product}; посчитать количество и доставку.</p>"],
        "buyer_message_in": ["Сообщение в Telegram: вопрос о цене"],
        "buyer_estimate": ["Расчёт материалов: {project}"],
        "buyer_call_back": ["Звонок по расчёту", "Уточнили размеры и проёмы"],
        "buyer_visit": ["Приезжал на площадку: выбор кирпича", "Показ образцов на складе"],
        "buyer_visit_body": ["<p>Посмотрел образцы, выбор: {product}. Приедет с женой в субботу.</p>"],
        "buyer_delivery": ["Доставка манипулятором", "Доставка на участок"],
        "buyer_delivery_body": ["<p>Доставка {date}, участок без твёрдого покрытия — нужна машина поменьше.</p>"],
        "contact_note": ["Поздравили с днём рождения", "Заметка о контакте"],
        "contact_note_body": [
            "<p>Поздравили, отправили календарь и образцы новинок.</p>",
            "<p>Предпочитает связь в мессенджере, звонить после 11:00.</p>",
        ],
        "colleague_note": ["Подменял коллегу в отпуске"],
        "colleague_note_body": ["<p>Клиент звонил в отпуск {me}: ответили на вопросы по счёту.</p>"],
    },
    "en": {
        "call_first_out": ["First call", "Cold call: introduction"],
        "call_first_out_body": ["<p>Introduced ourselves: stock in Podolsk, crane delivery within 1–2 days.</p>"],
        "call_first_in": ["Incoming call: price of {product}", "Incoming call: price request"],
        "call_first_in_body": ["<p>Asked about {product}, about {qty}. Site: {site}.</p>"],
        "email_first_in": ["Price request: {product}", "Request for a quotation for {site}"],
        "email_first_in_body": [
            "<p>Hello,</p><p>Please send us your price list and delivery terms for {site}. "
            "We need about {qty}.</p><p>Best regards,<br>{signature}</p>",
        ],
        "exhibition_note": ["StroyExpo fair: visited our stand"],
        "exhibition_note_body": ["<p>Took the catalogue and brick samples. Interested in supplies for {site}.</p>"],
        "price_list_doc": ["Price list {year}", "Price list and delivery terms"],
        "price_list_email": ["Kirpichny Dvor price list", "Brick and block prices {year}"],
        "price_list_email_body": [
            "<p>Dear {contact},</p><p>As agreed, please find our price list attached. Delivery within Moscow "
            "and the region from one day, crane unloading included.</p><p>Kind regards,<br>{me}</p>",
        ],
        "call_back": ["Call about the price list", "Discussed volumes and dates"],
        "call_back_body": [
            "<p>They have the price list and compare it with their supplier; delivery time matters most.</p>",
            "<p>Volume confirmed: {qty}, delivered in parts.</p>",
        ],
        "offer_doc": ["Commercial offer No. {doc}"],
        "offer_email": ["Commercial offer No. {doc}: {product}"],
        "offer_email_body": [
            "<p>Dear {contact},</p><p>Please find our offer for {product}, {qty}, delivered to site: {amount}.</p>"
            "<p>The offer is valid for 14 days.</p><p>Kind regards,<br>{me}</p>",
        ],
        "discount_email": ["Re: Commercial offer No. {doc}: {product}"],
        "discount_email_body": ["<p>Hello,</p><p>Could you give us a {discount}% discount?</p><p>{signature}</p>"],
        "discount_doc": ["Commercial offer No. {doc}, {discount}% discount"],
        "meeting": ["Meeting at the client's office: supply terms", "Meeting at our office: samples and prices"],
        "meeting_body": [
            "<p>Discussed:</p><ul><li>delivery schedule for {site};</li><li>the price of {product};</li>"
            "<li>payment: 50% in advance.</li></ul>",
        ],
        "visit": ["Site visit: {site}", "Checked the unloading area at {site}"],
        "visit_body": ["<p>Checked the access road and the storage area: the crane truck can unload.</p>"],
        "planned_meeting": ["Meeting: next quarter's purchases", "Meeting with the purchasing director"],
        "planned_visit": ["Site visit: {site}"],
        "quarter_meeting": ["Quarterly review and purchase plans"],
        "quarter_meeting_body": ["<p>Shipped {qty} this quarter. Next: {site}. They want a fixed price.</p>"],
        "contract_doc": ["Supply contract No. {doc}"],
        "contract_signed": ["Signed supply contract No. {doc}"],
        "invoice_doc": ["Invoice No. {doc}: {product}", "Advance payment invoice No. {doc}"],
        "payment_doc": ["Payment order No. {pay} for invoice No. {doc}"],
        "payment_note": ["Invoice No. {doc} paid"],
        "payment_note_body": ["<p>Payment received; shipment booked for {date}.</p>"],
        "guarantee_letter": ["Letter of guarantee for invoice No. {doc}"],
        "reconciliation_letter": ["Statement of account {last_year}"],
        "shipment_doc": ["Delivery note No. {doc} ({date})"],
        "order_email": ["Order: {product}, {qty}"],
        "order_email_body": [
            "<p>Hello,</p><p>Please deliver {product}, {qty}, to {site} and send us the invoice.</p><p>{signature}</p>",
        ],
        "order_call": ["Order by phone: {product}, {qty}"],
        "order_reply": ["Re: Order: {product}, {qty}"],
        "order_reply_body": ["<p>Dear {contact},</p><p>The invoice is attached; delivery on {date}.</p><p>{me}</p>"],
        "shipment_note": ["Delivery booked", "Delivery: unloading time"],
        "shipment_note_body": ["<p>Truck on {date}, unloading from 9:00; the foreman meets it.</p>"],
        "message_out": ["Telegram: unloading time", "WhatsApp: photos of the batch"],
        "message_in": ["WhatsApp: the truck has arrived", "Telegram: asked to move the delivery"],
        "complaint_call": ["Complaint: broken bricks on delivery"],
        "complaint_body": ["<p>About 3% of a pallet broken. We replace it with the next delivery.</p>"],
        "nurture_call": ["Keeping in touch", "Call: any new projects?"],
        "nurture_email": ["Spring prices for bricks and blocks"],
        "nurture_email_body": ["<p>Dear {contact},</p><p>From 1 March {product} is 5% cheaper.</p><p>{me}</p>"],
        "lost_call": ["Call: resume purchases"],
        "lost_note": ["The client went to another supplier"],
        "lost_note_body": ["<p>They now buy from the plant directly, 7% cheaper.</p>"],
        "buyer_call_in": ["Incoming call: materials estimate", "Incoming call: {project}"],
        "buyer_call_in_body": ["<p>Building {project}. Needs {product}; wants the quantity and delivery cost.</p>"],
        "buyer_message_in": ["Telegram: question about the price"],
        "buyer_estimate": ["Materials estimate: {project}"],
        "buyer_call_back": ["Call about the estimate"],
        "buyer_visit": ["Came to the yard to choose bricks"],
        "buyer_visit_body": ["<p>Looked at samples and chose {product}.</p>"],
        "buyer_delivery": ["Crane delivery to the plot"],
        "buyer_delivery_body": ["<p>Delivery on {date}; the plot has no hard road, a smaller truck is needed.</p>"],
        "contact_note": ["Birthday greetings", "Note about the contact"],
        "contact_note_body": ["<p>Prefers messengers; call after 11:00.</p>"],
        "colleague_note": ["Covered for a colleague on holiday"],
        "colleague_note_body": ["<p>The client called while {me} was on holiday; answered the invoice questions.</p>"],
    },
}

# Task titles and results, by task type key.
TASKS: dict[str, dict[str, list[str]]] = {
    "ru": {
        "call_back": ["Перезвонить: обсудить прайс-лист", "Перезвонить: решение по КП", "Дозвониться до снабженца"],
        "call_back_later": ["Узнать о планах закупок", "Позвонить: новые объекты", "Попробовать вернуть клиента"],
        "call_first": ["Первичный звонок: выйти на снабжение", "Позвонить: предложить сотрудничество"],
        "send_offer": ["Подготовить КП", "Отправить коммерческое предложение", "Рассчитать КП с доставкой"],
        "offer_discount": ["Согласовать скидку с руководителем", "Отправить КП со скидкой"],
        "control_payment": ["Проконтролировать оплату счёта № {doc}", "Проверить поступление оплаты"],
        "send_documents": ["Отправить договор поставки", "Отправить УПД и акт сверки", "Подготовить договор"],
        "meeting": ["Встреча с клиентом", "Выезд на объект", "Встреча: условия поставки"],
        "weekly": ["Планёрка отдела продаж: план звонков на неделю"],
        "monthly": ["Отчёт по продажам за месяц"],
        "recurring_payment": ["Контроль оплаты по графику"],
        "result_call": ["Дозвонился, обсудили", "Поговорили, клиент думает", "Созвонились, ждут КП"],
        "result_offer": ["КП отправлено", "Отправил КП на почту"],
        "result_discount": ["Скидку согласовали, КП отправлено"],
        "result_payment": ["Оплата поступила", "Деньги пришли, отгрузка назначена"],
        "result_documents": ["Документы отправлены", "Отправил скан, оригиналы почтой"],
        "result_meeting": ["Встреча прошла", "Встретились, договорились о поставке"],
        "result_routine": ["Сделано", "Готово"],
        "cancel": ["Клиент сам перезвонил", "Неактуально: объект заморожен", "Задача дублирует другую"],
        "description": ["Уточнить объём и сроки поставки.", "Спросить про новые объекты.", ""],
    },
    "en": {
        "call_back": ["Call back about the price list", "Call back: decision on the offer"],
        "call_back_later": ["Ask about purchase plans", "Call: new projects"],
        "call_first": ["First call: reach the purchasing manager"],
        "send_offer": ["Prepare the offer", "Send the commercial offer"],
        "offer_discount": ["Agree the discount with the head of sales"],
        "control_payment": ["Check the payment of invoice No. {doc}"],
        "send_documents": ["Send the supply contract", "Send the delivery notes"],
        "meeting": ["Meeting with the client", "Site visit"],
        "weekly": ["Sales team meeting: calls for the week"],
        "monthly": ["Monthly sales report"],
        "recurring_payment": ["Scheduled payment check"],
        "result_call": ["Reached them, they are thinking", "Talked; they expect an offer"],
        "result_offer": ["Offer sent"],
        "result_discount": ["Discount agreed, offer sent"],
        "result_payment": ["Paid", "Payment received, shipment booked"],
        "result_documents": ["Documents sent"],
        "result_meeting": ["Meeting held"],
        "result_routine": ["Done"],
        "cancel": ["The client called us first", "No longer needed"],
        "description": ["Confirm the volume and dates.", ""],
    },
}
