"""Sentiment lexicons and rule words for fa, ar, hu and en, written for OpenCXM.

Hand-written from general knowledge of how customers write in each language (reviews of
food, deliveries, products, service, films); not derived from any data set. Entries are
written naturally and normalised at load time with the pipeline's own `normalize`, so ي/ی,
ك/ک, ة/ه and accents need no care here. "_" joins the words of a phrase.

Weights: ±3 strong, ±2 clear, ±1 mild. Hungarian entries are stems (every ending is
tolerated, see `normalize.variants`); Persian and Arabic entries get their common clitics and
endings stripped; English its regular endings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from cxm.core.nlp.normalize import normalize, tokenize


def _words(weight: float, text: str) -> dict[str, float]:
    return {word.replace("_", " "): weight for word in text.split()}


# ------------------------------------------------------------------------------- Persian
_FA = {
    **_words(
        3,
        """
        عالی عالیه فوق_العاده فوقالعاده بی_نظیر بینظیر محشر معرکه شاهکار بهترین
        حرف_نداشت حرف_نداره عاشقشم عاشقش_شدم بیست درجه_یک درجه_یه ممتاز فوق_العادست
        خیلی_عالی عالى بی‌نقص بینقص
    """,
    ),
    **_words(
        2,
        """
        خوب خوبه خوشمزه خوش_طعم خوشطعم لذیذ تازه داغ راضی رضایت ممنون ممنونم مرسی متشکرم
        متشکر سپاس سپاسگزارم تشکر دستتون_درد_نکنه دستت_درد_نکنه دمتون_گرم دمت_گرم سریع
        به_موقع بموقع تمیز مرتب مودب خوش_برخورد خوشبرخورد خوش_اخلاق خوشاخلاق مناسب ارزان
        ارزون به_صرفه مقرون_به_صرفه باکیفیت با_کیفیت پیشنهاد_میکنم توصیه_میکنم دوست_داشتم
        پسندیدم لذت_بردم لذت زیبا قشنگ شیک حرفه_ای حرفهای دلچسب خوشحال خوشگل ترد آبدار
        سالم باحال جذاب راحت دقیق خوش_قول خوشقول عالیست خوب_بود میارزه ارزش_داشت گرم_بود
        پرملات پر_ملات اصل اورجینال بهتر کیفیت_خوب سرعت_خوب پیشنهاد_میشه توصیه_میشه
        سپاسگزار قدردان خوشبختانه ایول آفرین عزیز مهربان مهربون صادق منصفانه بی_دردسر
        خوشبو کامل تمام_و_کمال تر_و_تازه بجا درست_و_حسابی حسابی_خوب راضیم راضی_هستم
        love good great nice perfect khoob khub khube khoobe aali awli mersi merci mamnoon
        mamnun khoshmaze tazeh taze
    """,
    ),
    **_words(
        1,
        """
        قابل_قبول اوکی ok خوبی نسبتا_خوب مطلوب کافی تمیزی بهبود گرم ارزش پسند
    """,
    ),
    **_words(
        -3,
        """
        افتضاح افتضاحه فاجعه مزخرف بدترین اسفناک آشغال اشغال تاسف_بار تاسفبار وحشتناک
        کلاهبرداری کلاهبردار دزدی گند حال_بهم_زن حالبهمزن چندش مسموم مسمومیت
        پشیمان پشیمونم پشیمانم افتضاحی دور_ریختم دورریختنی دور_ریختنی هرگز_دیگه
        بدترینه نخرید نخرین سفارش_ندید سفارش_ندین eftezah eftezahe
    """,
    ),
    **_words(
        -2,
        """
        بد بدی بدتر ضعیف سرد یخ یخزده یخ_زده دیر تاخیر خراب کثیف بی_مزه بیمزه بدمزه بد_مزه
        ناراضی نارضایتی متاسفانه متأسفانه مشکل ایراد سوخته خام بیات کهنه مونده شکسته ناقص
        اشتباه نرسید نرسیده بی_ادب بیادب بی_ادبی بیادبی بدبو بو_میداد چرب سفت خشک
        کیفیت_پایین بیکیفیت بی_کیفیت افت_کیفیت افت نامرتب زشت کند معطل گران گرون گرونه
        نامناسب ضرر بیخود الکی مسخره ناامید ناامیدکننده نا_امید شور بی_کیفیتی دیر_رسید
        دیررسید بدقول بد_قول بی_مسئولیت بیمسئولیت بی_توجه بیتوجه بی_احترامی بیاحترامی
        نپسندیدم دوست_نداشتم لذت_نبردم نمیارزه ارزش_نداشت ارزش_نداره کم_بود کمه
        bad sard dir kharab kharabe bimaze badmaze afzah
    """,
    ),
    **_words(
        -1,
        """
        معمولی متوسط کم کمی_سرد منتظر طول_کشید ریخته خالی بدتر کوچیک گرونتر گرانتر
        ایرادی نه_چندان ولرم
    """,
    ),
}
_FA_NEGATORS_BEFORE = "نه هیچ بدون بی نه_چندان na hich"
_FA_NEGATORS_AFTER = """
    نبود نیست نبودن نبودند نیستند نبوده نیس نشد نشده نمیشه نمیشود نداشت نداره ندارد نداشتن
    نداشتند نمیکنم نمیکنه نمیکنیم نکرد نکردن نکردم نکردند نخواهد نداشتیم نیستش نبودش
    nabood nabud nist nis nadasht nadare nashod nemishe
"""
_FA_INTENSIFIERS = {
    **_words(
        1.4,
        "خیلی بسیار واقعا کاملا اصلا زیاد بشدت به_شدت شدیدا اینقدر انقدر حسابی "
        "فوق_العاده خیییلی kheili kheyli vaghean aslan kheilii",
    ),
    **_words(0.6, "یکم یکمی کمی یه_کم یه_ذره نسبتا تقریبا کمی"),
}
_FA_CONTRAST = "ولی اما ولیکن منتها ولى vali ama"

# -------------------------------------------------------------------------------- Arabic
_AR = {
    **_words(
        3,
        """
        ممتاز ممتازة ممتازه رائع رائعة روعة روعه خيالي خياليه مذهل مذهلة افضل أفضل الافضل
        اسطوري خرافي خرافيه تحفة تحفه مبدع ابداع إبداع قمة قمه فظيع_الجمال جبار يجنن
        انصح_به أنصح_به انصحكم أنصحكم
    """,
    ),
    **_words(
        2,
        """
        جيد جيدة جيده جميل جميلة جميله حلو حلوة حلوه لذيذ لذيذة لذيذه زين زينة طيب طيبة نظيف
        نظيفة سريع سريعة ممتع ممتعة مناسب معقول انصح أنصح يستاهل يستحق شكرا شكراً مشكور
        مشكورين احسن أحسن مريح مريحة راقي راقية رخيص ذوق ودود محترم محترمين مميز مميزة
        سعيد سعيدة راضي راضية رضا اعجبني أعجبني عجبني احببت أحببت حبيت احب أحب لطيف لطيفة
        كويس كويسة تمام فاخر فاخرة عالي_الجودة جودة_عالية ممتن الحمدلله بطل نظافة سرعة
        موفق وفقكم يعطيكم_العافية متميز متميزة اصلي أصلي ينصح_به ننصح لذاذة خدمة_ممتازة
        great good nice excellent perfect
    """,
    ),
    **_words(1, "مقبول لا_بأس لاباس لا_باس عادي_جيد كافي معتدل جيدا"),
    **_words(
        -3,
        """
        سيء سيئ سيئة سيئه اسوأ أسوأ اسوء زفت مقرف مقرفة مقرفه فاشل فاشلة فاشله كارثة كارثه
        كارثي رديء رديئة ردئ رديئه خايس خايسة نصب نصاب احتيال غش مغشوش ندمت ندمان تقرف
        لا_انصح لا_أنصح لا_انصحكم حرامي حرامية سرقة وصخ تعيس تعيسة
    """,
    ),
    **_words(
        -2,
        """
        ضعيف ضعيفة ضعيفه بارد باردة بارده غالي غالية غاليه متأخر متاخر تأخير تاخير تأخر
        تاخر بطيء بطئ بطيئة وسخ وسخة قذر قذرة مالح ماصخ بايخ بايخة بايت محروق خراب خربان
        مكسور معطل عطلان تالف مزعج مزعجة مشكلة مشكله مشاكل سوء للاسف للأسف مع_الاسف
        خيبة مخيب مخيبة غلط خطأ خطا تقليد مقلد وقح وقحة كريه رديئ فاسد فاسدة زعلان مستاء
        ما_عجبني ماعجبني ماعجبنى مو_زين مب_زين مش_كويس مش_حلو تعبان تعبانة بطء عيب عيوب
        ما_انصح ما_أنصح ماانصح سيئين
        bad
    """,
    ),
    **_words(-1, "عادي متوسط قليل انتظار زحمة زحمه مرتفع مرتفعة صغير مبالغ مبالغ_فيه غاليه_شوي"),
}
_AR_NEGATORS_BEFORE = "لا ما ليس ليست لم لن مش مب مو موب مهوب غير بدون ولا مافي مافيه"
_AR_INTENSIFIERS = {
    **_words(
        1.4,
        "جدا جداً كثير كتير مره مرة وايد للغاية للغايه بشدة بشده قوي تماما "
        "حيل كلش مرررة ابدا أبدا اكثر أكثر جد",
    ),
    **_words(0.6, "شوي شوية شويه قليلا نوعا_ما بعض"),
}
_AR_CONTRAST = "لكن ولكن بس الا_ان إلا_أن غير_ان بينما"

# ----------------------------------------------------------------------------- Hungarian
_HU = {
    **_words(
        3,
        """
        kiváló nagyszerű remek csodálatos fantasztikus tökéletes zseniális lenyűgöző briliáns
        mestermű mestermunk lélegzetelállító kitűnő pompás bravúros felejthetetlen szenzációs
        legjobb elbűvölő varázslatos káprázatos hibátlan gyönyörű imád szuper csúcs
    """,
    ),
    **_words(
        2,
        """
        jó jól jók jót jóság szép szépen kedves ajánl élvez szeret tetsz izgalmas szórakoztató
        vicces humoros megható okos eredeti friss érdekes hangulatos elegáns finom gyors
        pontos segítőkész udvarias barátságos elégedett köszön hálás bájos ügyes hatásos
        meggyőző emlékezetes lebilincselő magával_ragadó sikeres siker élmény öröm boldog
        kellemes mulatságos tehetséges ötletes igényes gazdag őszinte szívmelengető
        szellemes jópofa frappáns hiteles profi minőség megéri megérte érdemes ízletes
        látványos izgalom lendületes intelligens ragyogó díjaz figyelmes rendes aranyos
        kreatív harmonikus letisztult erőteljes szórakozás nevet derűs okosan tökéletesen
        ajánlott érett lírai elragadó
    """,
    ),
    **_words(1, "jobb jobban elfogadható rendben korrekt tisztességes megfelelő olcsó erős"),
    **_words(
        -3,
        """
        borzalmas szörnyű pocsék rettenetes katasztrofális katasztrófa undorító vacak silány
        értéktelen legrosszabb förtelmes gagyi nevetséges szánalmas elviselhetetlen
        csapnivaló gyatra kínszenvedés szemét nézhetetlen élvezhetetlen ehetetlen
    """,
    ),
    **_words(
        -2,
        """
        rossz gyenge unalmas untat fárasztó hosszadalmas vontatott zavaros lapos sablonos
        középszerű felejthető erőltetett üres sekélyes fölösleges felesleges értelmetlen
        hibás probléma késik késett késés lassú drága koszos piszkos udvariatlan bunkó
        csalódás csalódott sajnos bosszantó idegesítő ügyetlen béna buta ostoba hülye giccs
        hamis elavult nehézkes zagyva kudarc bukás elhibázott unalom kellemetlen zavaró
        sótlan semmitmondó sikertelen tehetségtelen ötlettelen érdektelen hatástalan
        kiábrándító elszomorító szomorú dühös mérges fájdalmas ízetlen hideg rosszul
        rosszabb túlárazott gagyi nyögvenyelős tévedés hiba
    """,
    ),
    **_words(-1, "kár kárt kiszámítható átlagos közepes hiányzik hiányzott furcsa túlzott kínos"),
}
_HU_NEGATORS_BEFORE = (
    "nem sem se nincs nincsen nincsenek sincs sincsen soha sosem semmi semmit egyáltalán_nem"
)
_HU_NEGATORS_AFTER = "nélkül"
_HU_INTENSIFIERS = {
    **_words(
        1.4,
        "nagyon igazán rendkívül különösen teljesen abszolút annyira túl borzasztóan "
        "iszonyúan roppant meglehetősen kifejezetten hihetetlenül végtelenül őszintén",
    ),
    **_words(0.7, "eléggé elég kissé kicsit némileg valamennyire viszonylag"),
}
_HU_CONTRAST = "de viszont azonban ám mégis hanem"

# ------------------------------------------------------------------------------- English
_EN = {
    **_words(
        3,
        """
        excellent amazing awesome fantastic wonderful outstanding superb perfect brilliant
        love loved loves best incredible exceptional masterpiece phenomenal flawless terrific
        magnificent stunning spectacular marvelous marvellous breathtaking
    """,
    ),
    **_words(
        2,
        """
        good great nice happy pleased satisfied recommend enjoy enjoyable like liked friendly
        helpful fast quick fresh tasty clean easy comfortable beautiful fun funny interesting
        worth polite professional reliable sturdy solid impressive impressed pleasant lovely
        glad thanks thank thankful grateful beautifully smooth affordable charming
        entertaining clever smart favorite favourite attentive generous delight delightful
        fabulous gem yummy delicious cozy crispy juicy tender stylish elegant handy
        convenient durable bargain accurate efficient responsive courteous knowledgeable
        super wow excited exciting superior fine well works happy_with highly_recommend
        must_see engaging touching moving heartwarming witty charm powerful memorable
        refreshing intelligent compelling gripping remarkable sweet warm wise
    """,
    ),
    **_words(1, "ok okay decent fair reasonable cute cool better pretty satisfactory adequate"),
    **_words(
        -3,
        """
        terrible horrible awful worst disgusting pathetic useless garbage trash crap sucks
        sucked hate hated horrendous atrocious abysmal unacceptable scam fraud waste wasted
        nasty inedible rude disappointing disappointed disappointment unwatchable dreadful
        lousy junk worthless rip_off ripoff disaster
    """,
    ),
    **_words(
        -2,
        """
        bad poor poorly worse slow cold late broken broke defective dirty stale bland boring
        bored dull expensive overpriced problem problems issue issues fail failed fails failure
        wrong annoying uncomfortable unfortunately sadly sad angry upset frustrating frustrated
        confusing flimsy weak lame stupid silly ridiculous mess messy noisy unhelpful
        unprofessional complain complaint avoid overcooked undercooked soggy greasy burnt
        burned salty tasteless flavorless rubbery sick dissatisfied unhappy regret faulty
        crappy cheesy forgettable overrated shallow cliche clichéd mistake lacking lacks
        unreliable incompetent hassle ugly painful dumb mediocre awkward tedious slowly rudely
        poorly_made cheaply pointless misleading refund unfunny waste_of horrid
    """,
    ),
    **_words(
        -1,
        "average predictable hard difficult small little_bit lack lacked missing wait waited "
        "unfortunate odd",
    ),
}
_EN_NEGATORS_BEFORE = """
    not no never nothing nobody none neither nor cannot without hardly barely don't doesn't
    didn't isn't wasn't aren't weren't won't wouldn't can't couldn't shouldn't haven't hasn't
    hadn't dont doesnt didnt isnt wasnt cant wont couldnt aint ain't
"""
_EN_INTENSIFIERS = {
    **_words(
        1.4,
        "very really so extremely incredibly absolutely totally completely highly "
        "super too truly most especially definitely seriously remarkably exceptionally",
    ),
    **_words(1.1, "quite pretty"),
    **_words(0.6, "somewhat slightly kinda kind_of sort_of bit little fairly barely rather"),
}
_EN_CONTRAST = "but however yet although though"

# --------------------------------------------------------------------------------- emoji
EMOJI_VALENCE = {
    **_words(2.5, "😍 🥰 😘 ❤ 💕 💖 💗 💓 💞 😻 🤩 💯 ♥ 😋 👌 👏 🙏 ⭐ 🌟 🏆 🥇 💐 🌹"),
    **_words(2, "😀 😃 😄 😁 😆 😊 🙂 ☺ 😎 👍 ✅ 💪 🎉 😇 🤗 😉 🔥 :) :-) :d ;) (: <3 =)"),
    **_words(-2, "😞 😔 😟 😕 🙁 ☹ 😢 😭 😩 😫 😒 😣 😖 😤 👎 ❌ 💔 🤦 😓 😬 :( :-( :'( ):"),
    **_words(-3, "😡 😠 🤬 🤢 🤮 💩 😷 🤯"),
    **_words(-1, "😑 😐 🙄 😱 😰"),
}


@dataclass(frozen=True)
class Lexicon:
    """The rule words of one language, in normalised form."""

    language: str
    words: dict[str, float]  # single tokens
    phrases: dict[tuple[str, ...], float]  # two or three tokens
    negators_before: frozenset[str]
    negators_after: frozenset[str]
    intensifiers: dict[str, float]
    contrast: frozenset[str]
    max_phrase: int = field(default=1)


def _normal_entries(raw: dict[str, float]) -> tuple[dict[str, float], dict[tuple[str, ...], float]]:
    words: dict[str, float] = {}
    phrases: dict[tuple[str, ...], float] = {}
    for entry, weight in raw.items():
        tokens = tuple(tokenize(normalize(entry)))
        if len(tokens) == 1:
            words[tokens[0]] = weight
        elif tokens:
            phrases[tokens] = weight
    return words, phrases


def _normal_set(text: str) -> frozenset[str]:
    words, phrases = _normal_entries(_words(1, text))
    return frozenset(words) | frozenset(" ".join(p) for p in phrases)


_RAW = {
    "fa": (_FA, _FA_NEGATORS_BEFORE, _FA_NEGATORS_AFTER, _FA_INTENSIFIERS, _FA_CONTRAST),
    "ar": (_AR, _AR_NEGATORS_BEFORE, "", _AR_INTENSIFIERS, _AR_CONTRAST),
    "hu": (_HU, _HU_NEGATORS_BEFORE, _HU_NEGATORS_AFTER, _HU_INTENSIFIERS, _HU_CONTRAST),
    "en": (_EN, _EN_NEGATORS_BEFORE, "", _EN_INTENSIFIERS, _EN_CONTRAST),
}


@cache
def lexicon(language: str) -> Lexicon:
    """The lexicon of `language` (fa, ar, hu, en); any other language gets only emoji."""
    if language not in _RAW:
        return Lexicon(language, {}, {}, frozenset(), frozenset(), {}, frozenset())
    raw, before, after, intensifiers, contrast = _RAW[language]
    words, phrases = _normal_entries(raw)
    intensity_words, _ = _normal_entries(intensifiers)
    return Lexicon(
        language=language,
        words=words,
        phrases=phrases,
        negators_before=_normal_set(before),
        negators_after=_normal_set(after),
        intensifiers=intensity_words,
        contrast=_normal_set(contrast),
        max_phrase=max((len(p) for p in phrases), default=1),
    )


@cache
def emoji_valence() -> dict[str, float]:
    """Valence of emoji and emoticons, keyed by their normalised token."""
    words, _ = _normal_entries(EMOJI_VALENCE)
    return words
