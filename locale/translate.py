"""Fill locale/{ru,uk}/LC_MESSAGES/django.po from the table below, then run compilemessages.

Run after `manage.py makemessages -l ru -l uk --ignore=.venv --ignore=tests --ignore=sandbox
--no-location`: `python locale/translate.py && manage.py compilemessages`.
"""

import re
import sys
from pathlib import Path

T = {
    "English": ("Английский", "Англійська"),
    "Russian": ("Русский", "Російська"),
    "Ukrainian": ("Украинский", "Українська"),
    "Support": ("Поддержка", "Підтримка"),
    "Skip to content": ("Перейти к содержимому", "Перейти до вмісту"),
    "Site": ("Сайт", "Сайт"),
    "Language": ("Язык", "Мова"),
    "Change": ("Сменить", "Змінити"),
    "Ticket %(id)s": ("Заявка %(id)s", "Заявка %(id)s"),
    "Your ticket": ("Ваша заявка", "Ваша заявка"),
    "Thank you, your ticket has been filed": (
        "Спасибо, ваша заявка принята",
        "Дякуємо, вашу заявку прийнято",
    ),
    "Its number is": ("Её номер", "Її номер"),
    "Quote it when you write to us about this request.": (
        "Указывайте его, когда пишете нам об этом обращении.",
        "Вказуйте його, коли пишете нам про це звернення.",
    ),
    "Your ticket is being filed": ("Ваша заявка отправляется", "Ваша заявка надсилається"),
    "This takes a moment. Reload this page to see its number; it will not be filed twice.": (
        "Это займёт немного времени. Обновите страницу, чтобы увидеть её номер; дважды она не будет отправлена.",
        "Це займе трохи часу. Оновіть сторінку, щоб побачити її номер; двічі її не буде надіслано.",
    ),
    "Your ticket has not been filed yet": (
        "Ваша заявка ещё не принята",
        "Вашу заявку ще не прийнято",
    ),
    "Go back to the form and send it again; everything you entered was kept.": (
        "Вернитесь к форме и отправьте её снова; всё, что вы ввели, сохранено.",
        "Поверніться до форми та надішліть її знову; усе, що ви ввели, збережено.",
    ),
    "What you sent": ("Что вы отправили", "Що ви надіслали"),
    "Attachments": ("Вложения", "Вкладення"),
    "Back to the forms": ("Назад к формам", "Назад до форм"),
    "Your ticket has not been sent yet": (
        "Ваша заявка ещё не отправлена",
        "Вашу заявку ще не надіслано",
    ),
    "Files already attached": ("Уже прикреплённые файлы", "Уже прикріплені файли"),
    "Remove %(name)s": ("Убрать %(name)s", "Прибрати %(name)s"),
    "Error:": ("Ошибка:", "Помилка:"),
    "Fields marked * are required.": (
        "Поля, отмеченные *, обязательны.",
        "Поля, позначені *, обов'язкові.",
    ),
    "Send": ("Отправить", "Надіслати"),
    "How can we help?": ("Чем мы можем помочь?", "Чим ми можемо допомогти?"),
    "No forms are open right now.": ("Сейчас нет открытых форм.", "Зараз немає відкритих форм."),
    "Tickets": ("Заявки", "Заявки"),
    "Choose…": ("Выберите…", "Оберіть…"),
    "Choose %(level)s.": ("Выберите: %(level)s.", "Оберіть: %(level)s."),
    "Choose %(level)s before the levels below it.": (
        "Сначала выберите: %(level)s.",
        "Спершу оберіть: %(level)s.",
    ),
    "%(choice)s does not belong to %(parent)s.": (
        "«%(choice)s» не относится к «%(parent)s».",
        "«%(choice)s» не належить до «%(parent)s».",
    ),
    "Enter a valid value.": ("Введите правильное значение.", "Введіть правильне значення."),
    "Yes": ("Да", "Так"),
    "No": ("Нет", "Ні"),
    "Your email": ("Ваш email", "Ваш email"),
    "Subject": ("Тема", "Тема"),
    "Description": ("Описание", "Опис"),
    "Up to %(count)d files, %(size)s each at most.": (
        "До %(count)d файлов, не больше %(size)s каждый.",
        "До %(count)d файлів, не більше %(size)s кожен.",
    ),
    "This form has expired. Check your answers and send it again.": (
        "Срок действия формы истёк. Проверьте ответы и отправьте её снова.",
        "Термін дії форми минув. Перевірте відповіді та надішліть її знову.",
    ),
    "This form could not be verified. Check your answers and send it again.": (
        "Не удалось проверить форму. Проверьте ответы и отправьте её снова.",
        "Не вдалося перевірити форму. Перевірте відповіді та надішліть її знову.",
    ),
    "%(names)s: larger than %(size)s.": (
        "%(names)s: больше %(size)s.",
        "%(names)s: більше за %(size)s.",
    ),
    "A ticket can carry at most %(count)d files.": (
        "К заявке можно приложить не больше %(count)d файлов.",
        "До заявки можна додати не більше %(count)d файлів.",
    ),
    "Being sent": ("Отправляется", "Надсилається"),
    "Filed": ("Принята", "Прийнята"),
    "Not filed": ("Не принята", "Не прийнята"),
    "API unavailable": ("API недоступен", "API недоступний"),
    "Rejected by the API": ("Отклонена API", "Відхилена API"),
    "No answer from the API": ("Нет ответа от API", "Немає відповіді від API"),
    "There is no such form.": ("Такой формы нет.", "Такої форми немає."),
    "The helpdesk did not accept the ticket. Correct what is marked and send again.": (
        "Служба поддержки не приняла заявку. Исправьте отмеченное и отправьте снова.",
        "Служба підтримки не прийняла заявку. Виправте позначене та надішліть знову.",
    ),
    "The helpdesk did not answer in time, so your ticket may or may not have been filed. "
    "Everything you entered is still here. If no email about it reaches you within a few "
    "minutes, tick the box below and send it again.": (
        "Служба поддержки не ответила вовремя, поэтому мы не знаем, принята ли заявка. "
        "Всё, что вы ввели, сохранено. Если в течение нескольких минут письмо о ней не придёт, "
        "отметьте поле ниже и отправьте её снова.",
        "Служба підтримки не відповіла вчасно, тому ми не знаємо, чи прийнято заявку. "
        "Усе, що ви ввели, збережено. Якщо протягом кількох хвилин лист про неї не надійде, "
        "позначте поле нижче та надішліть її знову.",
    ),
    " or ": (" или ", " або "),
    "(now shown below)": ("(теперь показано ниже)", "(тепер показано нижче)"),
    "I have had no email about this ticket: send it again": (
        "Мне не пришло письмо об этой заявке: отправить её снова",
        "Я не отримав листа про цю заявку: надіслати її знову",
    ),
    "Only needed when “%(field)s” is %(choices)s.": (
        "Нужно, только если «%(field)s» — %(choices)s.",
        "Потрібно, лише якщо «%(field)s» — %(choices)s.",
    ),
    "Only needed when “%(field)s” is not ticked.": (
        "Нужно, только если «%(field)s» не отмечено.",
        "Потрібно, лише якщо «%(field)s» не позначено.",
    ),
    "Only needed when “%(field)s” is ticked.": (
        "Нужно, только если отмечено «%(field)s».",
        "Потрібно, лише якщо позначено «%(field)s».",
    ),
    "Not specified": ("Не указано", "Не вказано"),
    "Too much to send at once": ("Слишком много за один раз", "Забагато за один раз"),
    "The attachments together are larger than this form accepts. Go back, remove the largest "
    "files and send again: everything else you typed is still in your browser.": (
        "Вложения вместе больше, чем принимает эта форма. Вернитесь, уберите самые большие файлы "
        "и отправьте снова: всё остальное, что вы ввели, осталось в браузере.",
        "Вкладення разом більші, ніж приймає ця форма. Поверніться, приберіть найбільші файли "
        "та надішліть знову: усе інше, що ви ввели, залишилося в браузері.",
    ),
    "Back to the form": ("Назад к форме", "Назад до форми"),
    "The ticket has been filed": ("Заявка создана", "Заявку створено"),
    "Your session has ended: sign in again.": (
        "Сеанс завершён: войдите снова.",
        "Сеанс завершено: увійдіть знову.",
    ),
    "staff (the portal's helpdesk account)": (
        "сотрудника (учётная запись портала)",
        "співробітника (обліковий запис порталу)",
    ),
    "The search failed; type the email instead.": (
        "Поиск не удался; введите email.",
        "Пошук не вдався; введіть email.",
    ),
    "A new email creates the client in the helpdesk.": (
        "Новый email создаст клиента в службе поддержки.",
        "Нова адреса створить клієнта в службі підтримки.",
    ),
    "All forms": ("Все формы", "Усі форми"),
    "Assignee": ("Исполнитель", "Виконавець"),
    "Blind copies (bcc)": ("Скрытые копии (bcc)", "Приховані копії (bcc)"),
    "Client": ("Клиент", "Клієнт"),
    "Client's email": ("Email клиента", "Email клієнта"),
    "Client:": ("Клиент:", "Клієнт:"),
    "Copies": ("Копии", "Копії"),
    "Copies (cc)": ("Копии (cc)", "Копії (cc)"),
    "Date": ("Дата", "Дата"),
    "Department": ("Отдел", "Відділ"),
    "File a ticket for a client": ("Создать заявку для клиента", "Створити заявку для клієнта"),
    "File another ticket": ("Создать ещё заявку", "Створити ще заявку"),
    "File the ticket": ("Создать заявку", "Створити заявку"),
    "Find a client by name or email": (
        "Найдите клиента по имени или email",
        "Знайдіть клієнта за ім'ям або email",
    ),
    "Find a client, or type the email of a new one.": (
        "Найдите клиента или введите email нового.",
        "Знайдіть клієнта або введіть email нового.",
    ),
    "First message on behalf of": ("Первое сообщение от имени", "Перше повідомлення від імені"),
    "Followers": ("Наблюдатели", "Спостерігачі"),
    "Handling": ("Обработка", "Опрацювання"),
    "Its id or number, such as 7 or ABC-124.": (
        "Её id или номер, например 7 или ABC-124.",
        "Її id або номер, наприклад 7 або ABC-124.",
    ),
    "Lock the ticket": ("Заблокировать заявку", "Заблокувати заявку"),
    "No form is open to staff.": (
        "Для сотрудников нет открытых форм.",
        "Для співробітників немає відкритих форм.",
    ),
    "Not an email address: %(list)s": (
        "Это не адрес почты: %(list)s",
        "Це не адреса пошти: %(list)s",
    ),
    "Only staff may file tickets for clients.": (
        "Только сотрудники могут создавать заявки для клиентов.",
        "Лише співробітники можуть створювати заявки для клієнтів.",
    ),
    "Parent ticket": ("Родительская заявка", "Батьківська заявка"),
    "Payload sent": ("Отправленные данные", "Надіслані дані"),
    "Priority": ("Приоритет", "Пріоритет"),
    "SLA deadline": ("Срок по SLA", "Термін за SLA"),
    "Separate addresses with commas.": ("Разделяйте адреса запятыми.", "Розділяйте адреси комами."),
    "Separate tags with commas.": ("Разделяйте теги запятыми.", "Розділяйте теги комами."),
    "Sign in": ("Войти", "Увійти"),
    "Sign out": ("Выйти", "Вийти"),
    "Staff sign-in": ("Вход для сотрудников", "Вхід для співробітників"),
    "Status": ("Статус", "Статус"),
    "Submissions in the admin": ("Отправки в админке", "Надсилання в адмінці"),
    "Support desk": ("Служба поддержки", "Служба підтримки"),
    "Tags": ("Теги", "Теги"),
    "That client is no longer in the helpdesk. Find them again.": (
        "Этого клиента больше нет в службе поддержки. Найдите его снова.",
        "Цього клієнта більше немає в службі підтримки. Знайдіть його знову.",
    ),
    "The API's answer": ("Ответ API", "Відповідь API"),
    "The API's messages": ("Сообщения API", "Повідомлення API"),
    "The client could not be checked: the helpdesk cannot be reached.": (
        "Не удалось проверить клиента: служба поддержки недоступна.",
        "Не вдалося перевірити клієнта: служба підтримки недоступна.",
    ),
    "The helpdesk cannot be reached.": (
        "Служба поддержки недоступна.",
        "Служба підтримки недоступна.",
    ),
    "The helpdesk's id of this person's staff user; empty: found by email.": (
        "Id сотрудника в службе поддержки; пусто: найти по email.",
        "Id співробітника в службі підтримки; порожньо: знайти за email.",
    ),
    "The helpdesk's staff list could not be read: assignee and followers are empty.": (
        "Не удалось прочитать список сотрудников: исполнитель и наблюдатели пусты.",
        "Не вдалося прочитати список співробітників: виконавець і спостерігачі порожні.",
    ),
    "The parent ticket could not be checked: the helpdesk cannot be reached.": (
        "Не удалось проверить родительскую заявку: служба поддержки недоступна.",
        "Не вдалося перевірити батьківську заявку: служба підтримки недоступна.",
    ),
    "There is no such ticket.": ("Такой заявки нет.", "Такої заявки немає."),
    "There is no ticket %(ref)s.": ("Заявки %(ref)s нет.", "Заявки %(ref)s немає."),
    "This form's link holds a value the form cannot take.": (
        "Ссылка на форму содержит значение, которое форма не принимает.",
        "Посилання на форму містить значення, яке форма не приймає.",
    ),
    "This form's link is not valid: it is meant to last too long.": (
        "Ссылка на форму недействительна: срок её действия слишком долгий.",
        "Посилання на форму недійсне: термін його дії занадто довгий.",
    ),
    "This form's link was made for another form.": (
        "Ссылка сделана для другой формы.",
        "Посилання створене для іншої форми.",
    ),
    "Ticket": ("Заявка", "Заявка"),
    "Time": ("Время", "Час"),
    "Type": ("Тип", "Тип"),
    "Unassigned": ("Не назначен", "Не призначено"),
    "client found": ("— найдено клиентов", "— знайдено клієнтів"),
    "clients found": ("— найдено клиентов", "— знайдено клієнтів"),
    "helpdesk account": ("учётная запись в службе поддержки", "обліковий запис у службі підтримки"),
    "me, the agent": ("меня, сотрудника", "мене, співробітника"),
    "the client": ("клиента", "клієнта"),
    "That was quick! Check your answers and send the form again.": (
        "Очень быстро! Проверьте ответы и отправьте форму ещё раз.",
        "Дуже швидко! Перевірте відповіді та надішліть форму ще раз.",
    ),
    "This form can only be sent from its own page. Open it again and send it there.": (
        "Эту форму можно отправить только с её страницы. Откройте её снова и отправьте оттуда.",
        "Цю форму можна надіслати лише з її сторінки. Відкрийте її знову та надішліть звідти.",
    ),
    "This form cannot be used": (
        "Эту форму нельзя использовать",
        "Цією формою не можна скористатися",
    ),
    "This form's link has expired. Open the form again from its site.": (
        "Срок действия ссылки на форму истёк. Откройте форму снова с её сайта.",
        "Термін дії посилання на форму минув. Відкрийте форму знову з її сайту.",
    ),
    "This form's link is not valid: it has no expiry.": (
        "Ссылка на форму недействительна: у неё нет срока действия.",
        "Посилання на форму недійсне: у нього немає терміну дії.",
    ),
    "This form's link is not valid: it may have been changed.": (
        "Ссылка на форму недействительна: возможно, её изменили.",
        "Посилання на форму недійсне: можливо, його змінили.",
    ),
    "This form's link names something the form does not have.": (
        "Ссылка на форму называет то, чего в форме нет.",
        "Посилання на форму називає те, чого у формі немає.",
    ),
    "This site does not accept signed form links.": (
        "Этот сайт не принимает подписанные ссылки на формы.",
        "Цей сайт не приймає підписані посилання на форми.",
    ),
    "The helpdesk cannot be reached right now, so your ticket has not been filed yet. "
    "Everything you entered is still here: please send it again in a few minutes.": (
        "Служба поддержки сейчас недоступна, поэтому заявка ещё не принята. "
        "Всё, что вы ввели, сохранено: отправьте её снова через несколько минут.",
        "Служба підтримки зараз недоступна, тому заявку ще не прийнято. "
        "Усе, що ви ввели, збережено: надішліть її знову за кілька хвилин.",
    ),
}

# An entry: its comments (fuzzy flags, previous msgids), msgid and msgstr, each maybe multi-line.
ENTRY = re.compile(r'((?:#.*\n)*)(msgid ((?:".*"\n)+))msgstr ((?:".*"\n)+)', re.M)


def unquote(block: str) -> str:
    return "".join(re.findall(r'"(.*)"', block)).replace('\\"', '"')


def main() -> int:
    missing = set()
    for index, lang in enumerate(("ru", "uk")):
        path = Path(__file__).parent / lang / "LC_MESSAGES" / "django.po"
        text = path.read_text(encoding="utf-8")

        def fill(match: re.Match, index: int = index) -> str:
            msgid = unquote(match.group(3))
            if not msgid:
                return match.group(0)
            if msgid not in T:
                missing.add(msgid)
                return match.group(0)
            translated = T[msgid][index].replace('"', '\\"')
            # The table is the truth: a fuzzy guess by makemessages is replaced, its flags dropped.
            comments = "".join(
                line + "\n"
                for line in match.group(1).splitlines()
                if not line.startswith(("#, fuzzy", "#|"))
            )
            return f'{comments}{match.group(2)}msgstr "{translated}"\n'

        text = ENTRY.sub(fill, text)
        text = text.replace("#, fuzzy\n", "", 1)
        path.write_text(text, encoding="utf-8")
    for msgid in sorted(missing):
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
