"""Words a search ignores: what carries no subject in English, Russian and Ukrainian.

English and Russian are Snowball's stop lists (snowballstem.org, BSD), the English one written as
the tokenizer sees it (apostrophes dropped: "can't" is "cant"), less the few contractions that
then read as words ("ill", "well", "id", "shell", "hell", "wed"), plus "can", "will" and "just"
(as NLTK's copy of it has them: a subject is often a question, "can I ..."). Snowball has no Ukrainian list;
the Ukrainian one is the same kind of list: pronouns, prepositions, conjunctions, particles, the
forms of "to be" and of "can". Each language also has the courtesies a ticket's subject is written
with (please, hello, thanks, urgent), which say nothing of what the ticket is about.

The general-purpose lists on PyPI (stop-words, stopwords-iso) were not taken: they drop words a
shop's support is made of ("help", "free", "buy", "goods", "date", "computer"; "время", "нужно";
"день", "потрібно").
"""

from __future__ import annotations

ENGLISH = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her
hers herself it its itself they them their theirs themselves what which who whom this that these
those am is are was were be been being have has had having do does did doing would should could
ought im youre hes shes theyre ive youve weve theyve youd hed shed theyd youll theyll isnt arent
wasnt werent hasnt havent hadnt doesnt dont didnt wont wouldnt shant shouldnt cant cannot couldnt
mustnt lets thats whos whats heres theres whens wheres whys hows a an the and but if or because as
until while of at by for with about against between into through during before after above below
to from up down in out on off over under again further then once here there when where why how all
any both each few more most other some such no nor not only own same so than too very can will
just
please pls plz hello hi hey dear thanks thank thx urgent urgently asap
"""

RUSSIAN = """
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было
вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас
нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем
была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой
совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при
наконец два об другой хоть после над больше тот через эти нас про всего них какая много разве три
эту моя сколько впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно
всю между это мои мое моего моей моих ваш ваша ваше ваши вашего вашей ваших наш наша наше наши
пожалуйста здравствуйте здраствуйте привет добрый доброго спасибо помогите срочно
"""

UKRAINIAN = """
і й та а але або чи ні не ж же б би в у на з із зі зо до від по за під над між про для без через при
о об що щоб як де коли хто кого кому чому чого скільки який яка яке які якого якої якому яким якій яких якщо
бо тому тож теж також вже ще лише тільки навіть саме дуже ось от там тут це цей ця ці цього цієї
цьому цим цих цю той те ті того тієї тим тих ту я ти він вона воно ми ви вони мене мені мною тебе
тобі тобою його йому ним нього неї їй нею її їх їм ними них нас нам нами вас вам вами себе собі
собою мій моя моє мої мого моєї моїх моїм твій твоя твоє твої наш наша наше наші нашого нашої ваш
ваша ваше ваші вашого вашої свій своя своє свої свого своєї був була було були бути є буде будуть
буду можна може можуть треба так ну весь вся все всі всього всіх інший інша інше інші ніж аби хоча
хоч поки доки
будь ласка вітаю привіт добрий доброго дякую допоможіть терміново
"""

STOP_WORDS: frozenset[str] = frozenset((ENGLISH + RUSSIAN + UKRAINIAN).split())
