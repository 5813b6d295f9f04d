"""Name lists for the demo organisation, in the four languages of the product."""

PERSIAN_FIRST = [
    "علی", "محمد", "حسین", "رضا", "مهدی", "امیر", "سعید", "حمید", "کامران", "پویا", "آرش",
    "فاطمه", "زهرا", "مریم", "سارا", "نرگس", "لیلا", "الهام", "نگار", "شیرین", "مهسا", "پریسا",
    "یاسمن", "کیمیا", "بهاره", "سحر", "نازنین", "امید", "بهرام", "فرهاد", "کیوان", "نیما",
]
PERSIAN_LAST = [
    "محمدی", "حسینی", "احمدی", "رضایی", "کریمی", "موسوی", "جعفری", "صادقی", "رحیمی", "کاظمی",
    "قاسمی", "عباسی", "نوری", "یزدانی", "شریفی", "تهرانی", "اصفهانی", "شیرازی", "مرادی", "بهرامی",
    "اکبری", "سلطانی", "فروتن", "نیک‌نام", "پاک‌نژاد", "خسروی", "زمانی", "فتحی", "امینی", "رستمی",
]
ARABIC_FIRST = [
    "محمد", "أحمد", "علي", "عمر", "خالد", "يوسف", "إبراهيم", "حسن", "فاطمة", "عائشة", "مريم",
    "نور", "سارة", "ليلى", "هدى", "رنا", "سلمى", "ياسمين", "طارق", "سامي",
]
ARABIC_LAST = [
    "الحسيني", "العلي", "الأحمد", "الخطيب", "المصري", "الشامي", "الزهراني", "القحطاني",
    "العتيبي", "الحربي", "السيد", "النجار", "حداد", "الكعبي", "المنصوري",
]
HUNGARIAN_FIRST = [
    "Bence", "Máté", "Levente", "Dávid", "Péter", "Gábor", "Zoltán", "László", "Anna", "Eszter",
    "Zsófia", "Réka", "Katalin", "Ágnes", "Júlia", "Dóra", "Lilla", "Csaba",
]
HUNGARIAN_LAST = [
    "Nagy", "Kovács", "Tóth", "Szabó", "Horváth", "Varga", "Kiss", "Molnár", "Németh", "Farkas",
    "Balogh", "Papp", "Takács", "Juhász", "Lakatos", "Mészáros", "Oláh", "Szűcs",
]
ENGLISH_FIRST = [
    "James", "Oliver", "Harry", "Jack", "George", "Emily", "Olivia", "Amelia", "Sophie", "Grace",
    "Thomas", "Daniel", "Hannah", "Chloe", "Samuel", "Lucy",
]
ENGLISH_LAST = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Evans",
    "Thomas", "Roberts", "Walker", "Wright", "Green",
]
CITIES_FA = ["تهران", "مشهد", "اصفهان", "شیراز", "تبریز", "کرج", "قم", "اهواز", "رشت", "کرمان"]
CITIES_AR = ["دبي", "أبوظبي", "الرياض", "جدة", "الدوحة", "الكويت", "مسقط", "بغداد"]
CITIES_HU = ["Budapest", "Debrecen", "Szeged", "Pécs", "Győr", "Miskolc"]
CITIES_EN = ["London", "Manchester", "Birmingham", "Leeds"]
