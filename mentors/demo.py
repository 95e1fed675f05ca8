"""Demo mentors for `manage.py seed_demo`: a few dozen approved mentors across languages, states, subjects and
prices, with weekly hours, plus one application in every other verification status. Idempotent and deterministic
(a fixed random seed), so every `make run` shows the same people."""

import datetime as dt
import os
import random
from typing import TextIO

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.demo_avatars import avatar_upload
from accounts.models import Language, User
from accounts.services import user_photo_set
from mentors.models import (
    AvailabilityRule,
    Certification,
    Education,
    MentorProfile,
    VerificationDocument,
    VerificationEvent,
    WorkExperience,
)
from mentors.models import VerificationStatus as S

DEMO_DOMAIN = "demo.peerlearn.test"
RANDOM_SEED = 20260301
PIPELINE = (
    S.PENDING,
    S.DOCUMENTS_UNDER_REVIEW,
    S.BACKGROUND_CHECK_IN_PROGRESS,
    S.INTERVIEW_SCHEDULED,
    S.TRIAL_SESSION_REQUIRED,
)
DEMO_ID_PROOF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/MediaBox[0 0 300 200]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

# (title, specializations, expertise areas, subjects, industry focus, levels, organisation, university, degree)
TRACKS = {
    "neet": (
        "NEET Biology Mentor",
        ["NEET preparation", "Biology"],
        ["Medical entrance"],
        ["Biology", "Chemistry"],
        ["Healthcare"],
        ["school"],
        "Allen Career Institute",
        "AIIMS New Delhi",
        "MBBS",
    ),
    "jee_physics": (
        "JEE Physics Mentor",
        ["JEE Physics", "JEE Advanced"],
        ["Engineering entrance"],
        ["Physics"],
        ["Engineering"],
        ["school"],
        "FIITJEE",
        "IIT Bombay",
        "B.Tech, Engineering Physics",
    ),
    "jee_maths": (
        "JEE Mathematics Mentor",
        ["JEE Mathematics", "JEE Main"],
        ["Engineering entrance"],
        ["Mathematics"],
        ["Engineering"],
        ["school"],
        "Resonance",
        "IIT Kharagpur",
        "B.Tech, Mathematics and Computing",
    ),
    "cbse_maths": (
        "CBSE Maths Teacher",
        ["CBSE Mathematics", "Board exam preparation"],
        ["School mathematics"],
        ["Mathematics"],
        ["Education"],
        ["school"],
        "Delhi Public School",
        "University of Delhi",
        "M.Sc., Mathematics",
    ),
    "data_science": (
        "Data Scientist",
        ["Data Science", "Machine Learning"],
        ["Data analysis", "Python programming"],
        ["Statistics", "Python"],
        ["Technology"],
        ["college"],
        "Flipkart",
        "IIIT Hyderabad",
        "M.Tech, Computer Science",
    ),
    "upsc": (
        "UPSC Mentor",
        ["UPSC Civil Services", "General Studies"],
        ["Public administration"],
        ["History", "Polity", "Geography"],
        ["Government"],
        ["college"],
        "Government of India",
        "Jawaharlal Nehru University",
        "M.A., Political Science",
    ),
    "placements": (
        "Senior Software Engineer",
        ["Placement preparation", "Data Structures and Algorithms"],
        ["Software engineering"],
        ["Computer Science"],
        ["Technology"],
        ["college"],
        "Infosys",
        "NIT Warangal",
        "B.Tech, Computer Science",
    ),
    "commerce": (
        "Chartered Accountant",
        ["CA Foundation", "Accountancy"],
        ["Finance", "Taxation"],
        ["Accountancy", "Economics"],
        ["Finance"],
        ["school", "college"],
        "Deloitte",
        "Shri Ram College of Commerce",
        "B.Com (Hons)",
    ),
    "careers": (
        "Career Counsellor",
        ["Career counselling", "Stream selection"],
        ["Career guidance"],
        ["Psychology"],
        ["Education"],
        ["school", "college"],
        "Mindler",
        "Tata Institute of Social Sciences",
        "M.A., Applied Psychology",
    ),
    "english": (
        "Communication Coach",
        ["Spoken English", "IELTS preparation"],
        ["Communication skills"],
        ["English"],
        ["Education"],
        ["school", "college"],
        "British Council",
        "English and Foreign Languages University",
        "M.A., English",
    ),
    "chemistry": (
        "Chemistry Mentor",
        ["ICSE Chemistry", "NEET preparation"],
        ["Organic chemistry"],
        ["Chemistry"],
        ["Pharmaceuticals"],
        ["school"],
        "Aakash Institute",
        "University of Hyderabad",
        "M.Sc., Chemistry",
    ),
    "gate": (
        "GATE CSE Mentor",
        ["GATE Computer Science", "Operating Systems"],
        ["Competitive exams"],
        ["Computer Science"],
        ["Technology"],
        ["college"],
        "Microsoft",
        "IISc Bangalore",
        "M.Tech, Computer Science",
    ),
}

# (first name, full name, track, languages (primary first), city, state, time zone, hourly rate ₹)
APPROVED = [
    ("priya", "Dr. Priya Sharma", "neet", ["hi", "en"], "New Delhi", "Delhi", "Asia/Kolkata", 1500),
    ("ravi", "Ravi Teja Reddy", "jee_physics", ["te", "en"], "Hyderabad", "Telangana", "Asia/Kolkata", 1200),
    ("lakshmi", "Lakshmi Narayanan", "cbse_maths", ["ta", "en"], "Chennai", "Tamil Nadu", "Asia/Kolkata", 800),
    ("arjun", "Arjun Mehta", "data_science", ["en", "hi"], "Bengaluru", "Karnataka", "Asia/Kolkata", 2500),
    ("ananya", "Ananya Banerjee", "upsc", ["bn", "en", "hi"], "Kolkata", "West Bengal", "Asia/Kolkata", 1000),
    ("sneha", "Sneha Kulkarni", "commerce", ["mr", "en", "hi"], "Pune", "Maharashtra", "Asia/Kolkata", 1100),
    ("karthik", "Karthik Subramanian", "placements", ["ta", "en"], "Coimbatore", "Tamil Nadu", "Asia/Kolkata", 1800),
    ("sravani", "Sravani Kondapalli", "neet", ["te", "en", "hi"], "Vijayawada", "Andhra Pradesh", "Asia/Kolkata", 900),
    ("rahul", "Rahul Verma", "jee_maths", ["hi", "en"], "Kota", "Rajasthan", "Asia/Kolkata", 1300),
    ("meera", "Meera Iyer", "careers", ["en", "ta"], "Mumbai", "Maharashtra", "Asia/Kolkata", 1400),
    ("sourav", "Sourav Ghosh", "chemistry", ["bn", "en"], "Durgapur", "West Bengal", "Asia/Kolkata", 700),
    ("aditi", "Aditi Deshpande", "english", ["mr", "en"], "Nagpur", "Maharashtra", "Asia/Kolkata", 600),
    ("venkat", "Venkatesh Rao", "gate", ["te", "en"], "Visakhapatnam", "Andhra Pradesh", "Asia/Kolkata", 2000),
    ("neha", "Neha Gupta", "cbse_maths", ["hi", "en"], "Lucknow", "Uttar Pradesh", "Asia/Kolkata", 700),
    ("farhan", "Farhan Qureshi", "data_science", ["hi", "en"], "London", "", "Europe/London", 3000),
    ("divya", "Divya Menon", "placements", ["en", "hi"], "Hyderabad", "Telangana", "Asia/Kolkata", 1600),
    ("suresh", "Suresh Babu", "jee_physics", ["te", "en"], "Warangal", "Telangana", "Asia/Kolkata", 1000),
    ("pooja", "Pooja Patil", "neet", ["mr", "hi", "en"], "Mumbai", "Maharashtra", "Asia/Kolkata", 1250),
    ("amit", "Amit Chatterjee", "commerce", ["bn", "hi", "en"], "Kolkata", "West Bengal", "Asia/Kolkata", 1500),
    ("kavya", "Kavya Raman", "english", ["ta", "en"], "Madurai", "Tamil Nadu", "Asia/Kolkata", 500),
    ("vikram", "Vikram Singh", "upsc", ["hi", "en"], "Jaipur", "Rajasthan", "Asia/Kolkata", 1200),
    ("harika", "Harika Yadav", "careers", ["te", "hi", "en"], "Hyderabad", "Telangana", "Asia/Kolkata", 900),
    ("rohan", "Rohan Joshi", "gate", ["mr", "en"], "Pune", "Maharashtra", "Asia/Kolkata", 2200),
    ("ishita", "Ishita Das", "chemistry", ["bn", "en"], "Siliguri", "West Bengal", "Asia/Kolkata", 800),
    ("sanjay", "Sanjay Kumar", "jee_maths", ["hi", "en"], "Patna", "Bihar", "Asia/Kolkata", 1100),
    ("anjali", "Anjali Nair", "data_science", ["en", "hi"], "New York", "", "America/New_York", 2800),
    ("gopal", "Gopal Krishnan", "cbse_maths", ["ta", "en"], "Tiruchirappalli", "Tamil Nadu", "Asia/Kolkata", 600),
    ("swathi", "Swathi Reddy", "placements", ["te", "en"], "Tirupati", "Andhra Pradesh", "Asia/Kolkata", 1400),
    ("deepak", "Deepak Pawar", "upsc", ["mr", "hi", "en"], "Aurangabad", "Maharashtra", "Asia/Kolkata", 900),
    ("riya", "Riya Sen", "english", ["bn", "en", "hi"], "Kolkata", "West Bengal", "Asia/Kolkata", 650),
    ("manish", "Manish Agarwal", "commerce", ["hi", "en"], "Indore", "Madhya Pradesh", "Asia/Kolkata", 1000),
    ("bhavana", "Bhavana Murthy", "neet", ["te", "en"], "Guntur", "Andhra Pradesh", "Asia/Kolkata", 1100),
    ("shwetha", "Shwetha Gowda", "jee_maths", ["kn", "en"], "Mysuru", "Karnataka", "Asia/Kolkata", 900),
    ("prakash", "Prakash Hegde", "placements", ["kn", "en", "hi"], "Bengaluru", "Karnataka", "Asia/Kolkata", 1700),
]
# These listed mentors have not uploaded a photo, so the listing also shows its initials fallback.
WITHOUT_PHOTO = frozenset({"sourav", "manish", "gopal", "anjali"})

# first name, full name, track, languages, city, state, status, note shown to the applicant
IN_REVIEW = [
    ("nikhil", "Nikhil Bansal", "jee_physics", ["hi", "en"], "Chandigarh", "Punjab", S.PENDING, ""),
    ("tanvi", "Tanvi Shah", "commerce", ["en", "hi"], "Ahmedabad", "Gujarat", S.DOCUMENTS_UNDER_REVIEW, ""),
    (
        "kiran",
        "Kiran Kumar",
        "placements",
        ["te", "en"],
        "Hyderabad",
        "Telangana",
        S.BACKGROUND_CHECK_IN_PROGRESS,
        "ID and degree verified.",
    ),
    ("shreya", "Shreya Bose", "upsc", ["bn", "en"], "Kolkata", "West Bengal", S.INTERVIEW_SCHEDULED, ""),
    (
        "arvind",
        "Arvind Pillai",
        "gate",
        ["ta", "en"],
        "Chennai",
        "Tamil Nadu",
        S.TRIAL_SESSION_REQUIRED,
        "Strong interview.",
    ),
    (
        "mohit",
        "Mohit Saxena",
        "jee_maths",
        ["hi", "en"],
        "Bhopal",
        "Madhya Pradesh",
        S.REJECTED,
        "We could not verify your teaching experience.",
    ),
    (
        "rekha",
        "Rekha Joshi",
        "english",
        ["mr", "en"],
        "Nashik",
        "Maharashtra",
        S.SUSPENDED,
        "Several students reported missed sessions.",
    ),
    (
        "yash",
        "Yash Thakur",
        "data_science",
        ["hi", "en"],
        "Indore",
        "Madhya Pradesh",
        S.REAPPLICATION_REQUIRED,
        "Please upload a clearer ID proof and add your work history.",
    ),
]


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or "Demo@12345"


def seed(*, stdout: TextIO) -> None:
    rng = random.Random(RANDOM_SEED)
    languages = {language.code: language for language in Language.objects.all()}
    reviewer = User.objects.filter(email=f"admin@{DEMO_DOMAIN}").first()
    # One hash for every demo mentor: hashing forty times would take most of a minute at Django's work factor.
    password_hash = make_password(demo_password())
    created = 0
    with transaction.atomic():
        for first, full_name, track, codes, city, state, time_zone, rupees in APPROVED:
            user = _mentor_user(first, full_name, codes, city, state, time_zone, languages, password_hash)
            if not MentorProfile.objects.filter(user=user).exists():
                mentor = _profile(user, track, rupees, rng, S.APPROVED, reviewer=reviewer, note="")
                _weekly_hours(mentor, rng)
                if first not in WITHOUT_PHOTO:
                    user_photo_set(user=user, photo=avatar_upload(full_name))
                created += 1
        for first, full_name, track, codes, city, state, status, note in IN_REVIEW:
            user = _mentor_user(first, full_name, codes, city, state, "Asia/Kolkata", languages, password_hash)
            if not MentorProfile.objects.filter(user=user).exists():
                mentor = _profile(user, track, rng.choice([600, 900, 1200]), rng, status, reviewer=reviewer, note=note)
                _weekly_hours(mentor, rng)
                VerificationDocument.objects.create(
                    mentor=mentor,
                    document_type=VerificationDocument.DocumentType.ID_PROOF,
                    file=ContentFile(DEMO_ID_PROOF, name="id-proof.pdf"),
                    original_name=f"{first}-id-proof.pdf",
                    content_type="application/pdf",
                    size_bytes=len(DEMO_ID_PROOF),
                )
                created += 1
    stdout.write(f"Mentors: {len(APPROVED)} approved and {len(IN_REVIEW)} in review ({created} new).")


def _mentor_user(first, full_name, codes, city, state, time_zone, languages, password_hash) -> User:
    email = f"mentor.{first}@{DEMO_DOMAIN}"
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name, "role": User.Role.MENTOR})
    if created:
        user.password = password_hash
        user.city, user.state, user.time_zone = city, state, time_zone
        user.country = "India" if time_zone == "Asia/Kolkata" else ""
        user.primary_language = languages[codes[0]]
        user.save(update_fields=["password", "city", "state", "time_zone", "country", "primary_language", "updated_at"])
        user.languages.set([languages[code] for code in codes])
        user.groups.add(Group.objects.get_or_create(name=User.Role.MENTOR)[0])
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _profile(user, track, rupees, rng, status, *, reviewer, note) -> MentorProfile:
    title, specializations, expertise, subjects, industry, levels, organisation, university, degree = TRACKS[track]
    years = rng.randint(2, 18)
    first_name = user.full_name.split()[-2] if user.full_name.startswith("Dr.") else user.get_short_name()
    # Approved mentors joined months ago (they have a history of sessions); applications are recent.
    days_ago = rng.randint(60, 240) if status in {S.APPROVED, S.SUSPENDED} else rng.randint(1, 40)
    submitted = timezone.now() - dt.timedelta(days=days_ago, hours=rng.randint(0, 23))
    mentor = MentorProfile.objects.create(
        user=user,
        slug=_slug(user.full_name),
        title=title,
        university=university,
        company=organisation,
        years_experience=years,
        bio=(
            f"Hi, I am {first_name}. I have {years} years of experience in {specializations[0]} and I teach "
            f"{', '.join(subjects)} the way I wish I had been taught: concepts first, then lots of practice. "
            f"I mentor {' and '.join(levels)} students and love helping them plan what comes next."
        ),
        expertise_areas=expertise,
        specializations=specializations,
        industry_focus=industry,
        subjects=subjects,
        skills=rng.sample(
            [
                "Exam strategy",
                "Time management",
                "Problem solving",
                "Doubt clearing",
                "Mock tests",
                "Interview preparation",
                "Study planning",
            ],
            3,
        ),
        levels_served=levels,
        hourly_rate_paise=rupees * 100,
        linkedin_url=f"https://www.linkedin.com/in/{_slug(user.full_name)}",
        verification_status=status,
        decision_reason=note if status in {S.REJECTED, S.SUSPENDED, S.REAPPLICATION_REQUIRED} else "",
        submitted_at=submitted,
        approved_at=submitted + dt.timedelta(days=6) if status in {S.APPROVED, S.SUSPENDED} else None,
        buffer_after_minutes=rng.choice([0, 10, 15]),
        minimum_notice_hours=rng.choice([2, 6, 12, 24]),
        booking_horizon_days=rng.choice([21, 30, 45]),
        offered_durations=rng.choice([[30, 60], [60], [30, 60, 90], [60, 90]]),
    )
    WorkExperience.objects.create(
        mentor=mentor,
        title=title,
        organization=organisation,
        location=user.city,
        start_date=dt.date(timezone.now().year - min(years, 8), rng.randint(1, 12), 1),
        description=f"Mentoring students in {specializations[0]}.",
    )
    Education.objects.create(
        mentor=mentor,
        institution=university,
        degree=degree,
        start_year=timezone.now().year - years - 5,
        end_year=timezone.now().year - years - 1,
    )
    if rng.random() < 0.5:
        Certification.objects.create(mentor=mentor, name="Certified Mentor", issuer="PeerLearn Academy")
    _history(mentor, status, reviewer=reviewer, note=note, rng=rng)
    return mentor


def _history(mentor: MentorProfile, status: str, *, reviewer, note: str, rng) -> None:
    """The verification record as the pipeline would have written it."""
    if status in {S.APPROVED, S.SUSPENDED}:
        path = [*PIPELINE, S.APPROVED] + ([S.SUSPENDED] if status == S.SUSPENDED else [])
    elif status in PIPELINE:
        path = list(PIPELINE[: PIPELINE.index(status) + 1])
    else:
        path = [S.PENDING, S.DOCUMENTS_UNDER_REVIEW, S(status)]
    previous = ""
    for to_status in path:
        VerificationEvent.objects.create(
            mentor=mentor,
            from_status=previous,
            to_status=to_status,
            actor=mentor.user if to_status == S.PENDING else reviewer,
            note=note if to_status == status else "",
            scheduled_for=timezone.now() + dt.timedelta(days=rng.randint(1, 5), hours=3)
            if to_status == S.INTERVIEW_SCHEDULED
            else None,
        )
        previous = to_status


def _weekly_hours(mentor: MentorProfile, rng) -> None:
    evenings = [(dt.time(17), dt.time(20)), (dt.time(18), dt.time(21)), (dt.time(16), dt.time(19))]
    weekdays = sorted(rng.sample(range(5), rng.randint(2, 4)))
    start, end = rng.choice(evenings)
    rules = [AvailabilityRule(mentor=mentor, weekday=day, start_time=start, end_time=end) for day in weekdays]
    rules.append(
        AvailabilityRule(mentor=mentor, weekday=rng.choice([5, 6]), start_time=dt.time(10), end_time=dt.time(13))
    )
    AvailabilityRule.objects.bulk_create(rules)


def _slug(full_name: str) -> str:
    return slugify(full_name.replace(".", ""))
