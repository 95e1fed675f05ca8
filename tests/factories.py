"""Factories shared by every test module. Each app's section keeps to its own models."""

import datetime as dt

import factory
from django.utils import timezone

from accounts.models import Language, User

DEFAULT_PASSWORD = "Str0ng!Passw0rd"


def language(code: str) -> Language:
    """The seeded language (the data migration creates them; transactional tests flush and need them back)."""
    from accounts.languages import INITIAL_LANGUAGES

    for lang_code, name, native_name, region, is_active, sort_order in INITIAL_LANGUAGES:
        if lang_code == code:
            found, _created = Language.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "native_name": native_name,
                    "region": region,
                    "is_active": is_active,
                    "sort_order": sort_order,
                },
            )
            return found
    raise LookupError(code)


# --- accounts ----------------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name", locale="en_IN")
    date_of_birth = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=365 * 20))
    city = "Hyderabad"
    state = "Telangana"
    country = "India"
    time_zone = "Asia/Kolkata"
    role = User.Role.STUDENT

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):  # noqa: N805
        obj.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):  # noqa: N805
        """Mark the address verified (allauth's EmailAddress), as after clicking the link; pass False to skip."""
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.update_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )
