"""Realistic Saudi sample data for factories, the demo and the benchmark seed: names in Arabic and
English, cities and regions, sectors (RULES.md §1's industry list), company names, valid mobile numbers
and valid Saudi IBANs. Deterministic when given a seeded `random.Random`."""
from __future__ import annotations

import random

FIRST_NAMES_AR = ["أحمد", "محمد", "عبدالله", "خالد", "فيصل", "سعود", "تركي", "نايف", "عمر", "يوسف", "إبراهيم",
                  "سلطان", "ماجد", "بندر", "نورة", "سارة", "ريم", "هند", "لمى", "منيرة", "أمل", "جواهر", "عبير",
                  "هيفاء", "مشاعل", "دانة", "لطيفة", "مها", "أسماء", "فاطمة"]
LAST_NAMES_AR = ["العتيبي", "الغامدي", "القحطاني", "الشهري", "الدوسري", "الحربي", "الزهراني", "المطيري",
                 "السبيعي", "العنزي", "الشمري", "الرشيد", "السديري", "البقمي", "الجهني", "العمري", "المالكي",
                 "الأحمدي", "الخالدي", "آل سعود"]
FIRST_NAMES_EN = ["Ahmed", "Mohammed", "Abdullah", "Khalid", "Faisal", "Saud", "Turki", "Omar", "Yousef", "Ibrahim",
                  "Sultan", "Majed", "Noura", "Sarah", "Reem", "Hind", "Lama", "Amal", "Abeer", "Maha", "Dana",
                  "Fatimah", "Layla", "Huda"]
LAST_NAMES_EN = ["Al-Otaibi", "Al-Ghamdi", "Al-Qahtani", "Al-Shehri", "Al-Dosari", "Al-Harbi", "Al-Zahrani",
                 "Al-Mutairi", "Al-Subaie", "Al-Anazi", "Al-Shammari", "Al-Rashid", "Al-Juhani", "Al-Omari",
                 "Al-Malki", "Haddad", "Nasser", "Saleh", "Mansour", "Khalil"]

# (English, Arabic, region)
CITIES = [("Riyadh", "الرياض", "Riyadh"), ("Jeddah", "جدة", "Makkah"), ("Makkah", "مكة المكرمة", "Makkah"),
          ("Madinah", "المدينة المنورة", "Madinah"), ("Dammam", "الدمام", "Eastern Province"),
          ("Khobar", "الخبر", "Eastern Province"), ("Dhahran", "الظهران", "Eastern Province"),
          ("Taif", "الطائف", "Makkah"), ("Abha", "أبها", "Asir"), ("Tabuk", "تبوك", "Tabuk"),
          ("Buraidah", "بريدة", "Qassim"), ("Hail", "حائل", "Hail"), ("Jazan", "جازان", "Jazan"),
          ("Najran", "نجران", "Najran"), ("Al Ahsa", "الأحساء", "Eastern Province")]

# RULES.md §1 industry fit: (key, English, Arabic, fit points)
SECTORS = [("healthcare", "Healthcare", "الرعاية الصحية", 25), ("real_estate", "Real estate", "العقارات", 25),
           ("restaurants", "Restaurants", "المطاعم", 25), ("beauty", "Beauty", "التجميل", 25),
           ("education", "Education", "التعليم", 25), ("automotive", "Automotive", "السيارات", 25),
           ("retail", "Retail", "التجزئة", 15), ("legal", "Legal", "المحاماة", 15),
           ("construction", "Construction", "المقاولات", 15), ("ecommerce", "E-commerce", "التجارة الإلكترونية", 15),
           ("government", "Government", "الجهات الحكومية", 5), ("non_profit", "Non-profit", "القطاع غير الربحي", 5),
           ("manufacturing", "Manufacturing", "التصنيع", 5)]
SECTOR_KEYS = [key for key, *_rest in SECTORS]

COMPANY_PREFIXES_AR = ["مؤسسة", "شركة", "مجموعة", "مركز", "عيادات", "مطاعم", "معهد", "مصنع"]
COMPANY_CORES_AR = ["النخبة", "الرواد", "الأفق", "المستقبل", "الريادة", "الجودة", "الواحة", "السحاب", "الفجر",
                    "البيان", "الإتقان", "الصفوة", "المدار", "الأصالة", "النماء", "الوفاء"]
COMPANY_SUFFIXES_AR = ["للتجارة", "الطبية", "العقارية", "للمقاولات", "للتعليم", "للسيارات", "للتقنية", "القابضة"]
COMPANY_CORES_EN = ["Elite", "Pioneers", "Horizon", "Future", "Riyada", "Quality", "Oasis", "Cloud", "Dawn",
                    "Bayan", "Itqan", "Safwa", "Madar", "Asala", "Namaa", "Wafa"]
COMPANY_SUFFIXES_EN = ["Trading", "Medical", "Real Estate", "Contracting", "Academy", "Motors", "Tech", "Holding"]

SAUDI_BANK_CODES = {"10": "البنك الأهلي السعودي", "80": "مصرف الراجحي", "45": "البنك السعودي البريطاني",
                    "20": "بنك الرياض", "05": "مصرف الإنماء", "15": "بنك البلاد", "30": "البنك العربي الوطني"}


def person_name(rng: random.Random, language: str = "ar") -> str:
    if language == "ar":
        return f"{rng.choice(FIRST_NAMES_AR)} {rng.choice(LAST_NAMES_AR)}"
    return f"{rng.choice(FIRST_NAMES_EN)} {rng.choice(LAST_NAMES_EN)}"


def company_name(rng: random.Random, language: str = "ar") -> str:
    if language == "ar":
        return f"{rng.choice(COMPANY_PREFIXES_AR)} {rng.choice(COMPANY_CORES_AR)} {rng.choice(COMPANY_SUFFIXES_AR)}"
    return f"{rng.choice(COMPANY_CORES_EN)} {rng.choice(COMPANY_SUFFIXES_EN)} Co."


def city(rng: random.Random, language: str = "ar") -> tuple[str, str]:
    """(city, region) in the language."""
    english, arabic, region = rng.choice(CITIES)
    return (arabic if language == "ar" else english), region


def saudi_mobile(rng: random.Random) -> str:
    """A valid Saudi mobile number in E.164: +9665 then 8 digits (operators 50–59)."""
    return f"+9665{rng.choice('0345689')}{rng.randrange(10**7):07d}"


def saudi_iban(rng: random.Random) -> str:
    """A Saudi IBAN with a correct ISO 13616 (mod 97) checksum: SA + 2 check digits + 2 bank + 18 account."""
    bank = rng.choice(list(SAUDI_BANK_CODES))
    account = f"{rng.randrange(10**18):018d}"
    bban = bank + account
    # Move the country code and "00" to the end, letters to numbers (S=28, A=10), then 98 - mod 97.
    numeric = int(bban + "2810" + "00")
    check = 98 - numeric % 97
    return f"SA{check:02d}{bban}"


def email_for(name: str, domain: str, rng: random.Random) -> str:
    ascii_part = "".join(ch for ch in name.lower() if ch.isascii() and ch.isalnum())
    return f"{ascii_part or 'user'}{rng.randrange(1000, 9999)}@{domain}"
