"""Demo data for ``make run``: loaded once, printed at start-up.

Each section checks for its own rows, so a database made by an older version gains the newer
sections without duplicating the old ones.
"""
from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.accounts.models import User
from app.accounts.passwords import hash_password
from app.core import clock
from app.extensions import db

DEMO_PASSWORD = "salus-demo-2026"  # nosec B105 - published demo credentials, local demo only
PEOPLE = [
    ("administrator", "admin@demo.salus.example", "Ana Admin", "Primăria Iași", "ro", True),
    ("organiser", "organiser@demo.salus.example", "Olivier Organisateur", "Ville de Lyon", "fr", False),
    ("juror", "juror@demo.salus.example", "Giulia Giurata", "Ospedale San Martino", "it", False),
    ("juror", "juror2@demo.salus.example", "Dorte Dommer", "Region Syddanmark", "da", False),
    ("participant", "participant@demo.salus.example", "Paul Participant", "Asociația Sănătate Digitală", "en", False),
    ("participant", "participant2@demo.salus.example", "Ioana Ionescu", "UMF Iași", "ro", False),
]
# Further people who fill the demo teams and juries (same password, not printed).
EXTRA_PEOPLE = [
    ("andrei@demo.salus.example", "Andrei Popescu", "Spitalul Clinic de Urgență Iași", "ro"),
    ("elena@demo.salus.example", "Elena Rusu", "Farmacia Centrală", "ro"),
    ("mihai@demo.salus.example", "Mihai Stan", "TUIASI", "ro"),
    ("claire@demo.salus.example", "Claire Martin", "CHU de Lyon", "fr"),
    ("lars@demo.salus.example", "Lars Holm", "Odense Kommune", "da"),
    ("sofia@demo.salus.example", "Sofia Bianchi", "Politecnico di Torino", "it"),
    ("radu@demo.salus.example", "Radu Ene", "", "ro"),
    ("jens@demo.salus.example", "Jens Kjær", "OUH Odense Universitetshospital", "da"),
    ("amelie@demo.salus.example", "Amélie Laurent", "ARS Auvergne-Rhône-Alpes", "fr"),
    ("mette@demo.salus.example", "Mette Nielsen", "OUH Odense Universitetshospital", "da"),
    ("soren@demo.salus.example", "Søren Madsen", "Esbjerg Kommune", "da"),
    ("freja@demo.salus.example", "Freja Andersen", "Syddansk Universitet", "da"),
    ("nils@demo.salus.example", "Nils Berg", "Welfare Tech", "da"),
]
HACKATHON_TITLE = "Smart Health City Iași 2026"
CALL_TITLE = "Regional telemedicine call 2027"
JUDGING_TITLE = "Telemedicine pilots Syddanmark 2026"
PUBLISHED_TITLE = "Healthy ageing at home Odense 2025"


def load_demo() -> tuple[bool, dict[str, Any]]:
    accounts = {"password": DEMO_PASSWORD, "people": [(role, email) for role, email, *_ in PEOPLE]}
    created = _people()
    created = _challenges() or created
    created = _portfolio() or created
    db.session.commit()
    return created, accounts


def _portfolio() -> bool:
    from app.challenges.models import Challenge
    from app.portfolio.demo import load_portfolio_demo

    published = db.session.scalar(select(Challenge).where(Challenge.title == PUBLISHED_TITLE))
    return load_portfolio_demo(_user(PEOPLE[0][1]), _user(PEOPLE[1][1]), _user(PEOPLE[4][1]), published)


def _people() -> bool:
    existing = set(db.session.scalars(select(User.email_key)))
    rows = [(email, name, org, locale, admin) for _r, email, name, org, locale, admin in PEOPLE]
    rows += [(email, name, org, locale, False) for email, name, org, locale in EXTRA_PEOPLE]
    missing = [row for row in rows if row[0] not in existing]
    if not missing:
        return False
    now = clock.now()
    password_hash = hash_password(DEMO_PASSWORD)
    for email, name, organisation, locale, is_admin in missing:
        db.session.add(User(email=email, email_key=email, name=name, organisation=organisation, locale=locale,
                            is_admin=is_admin, password_hash=password_hash, created_at=now,
                            confirmed_at=now, privacy_accepted_at=now, password_changed_at=now))
    db.session.flush()
    return True


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email_key == email))
    assert user is not None  # nosec B101 - the demo created every account it looks up
    return user


def _challenges() -> bool:
    from app.challenges.models import Challenge

    created = False
    if db.session.scalar(select(Challenge.id).where(Challenge.title == HACKATHON_TITLE)) is None:
        _open_hackathon()
        _draft_call()
        created = True
    created = _judging_challenge() or created
    return _published_challenge() or created


def _new_challenge(title: str, **fields: Any):
    from app.challenges.health_template import health_criteria
    from app.challenges.models import Challenge, ChallengeOrganiser, Criterion, Track

    tracks = fields.pop("tracks")
    challenge = Challenge(title=title, created_at=clock.now(), created_by_id=_user(PEOPLE[0][1]).id, **fields)
    challenge.tracks = [Track(name=name, position=i) for i, name in enumerate(tracks)]
    challenge.criteria = [Criterion(position=i, **values) for i, values in enumerate(health_criteria("en"))]
    db.session.add(challenge)
    db.session.flush()
    for email in (PEOPLE[0][1], PEOPLE[1][1]):
        db.session.add(ChallengeOrganiser(challenge_id=challenge.id, user_id=_user(email).id, added_at=clock.now()))
    return challenge


def _open_hackathon() -> None:
    from app.submissions.models import Idea, IdeaRevision
    from app.teams.models import Team, TeamMember, TeamSeeker
    from app.teams.rules import team_name_key

    now = clock.now()
    deadline = (now + dt.timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    challenge = _new_challenge(
        HACKATHON_TITLE, kind="hackathon", status="open", opens_at=now - dt.timedelta(days=3),
        submission_deadline=deadline, opened_at=now - dt.timedelta(days=3), team_min_size=2, team_max_size=5,
        reviews_per_entry=3, blind_review=True,
        tracks=["Telemedicine and remote monitoring", "Prevention and screening", "Care coordination"],
        description=("A weekend hackathon of the City of Iași to collect **digital-health ideas** for the "
                     "city's hospitals, family doctors and social services.\n\n"
                     "Teams of 2 to 5 people — clinicians, developers, designers, patients — work on one of "
                     "three tracks. The best ideas join the city's health project portfolio."),
        audience="Students, clinicians, nurses, developers, NGOs and anyone who lives or works in Iași.",
        prizes="1st prize 5,000 EUR · 2nd prize 3,000 EUR · 3rd prize 2,000 EUR, and incubation with the city.",
        rules_text="- One idea per team.\n- The deadline is enforced to the second.\n- Ideas stay the teams' "
                   "property; the city publishes titles and summaries of the winners.")
    track_ids = [t.id for t in challenge.tracks]
    teams = [
        ("CardioAcasă", ["participant@demo.salus.example", "participant2@demo.salus.example",
                         "andrei@demo.salus.example"], "submitted", 0),
        ("Pași Siguri", ["elena@demo.salus.example", "mihai@demo.salus.example"], "draft", 1),
        ("DiabetCare", ["claire@demo.salus.example", "lars@demo.salus.example"], "withdrawn", 2),
        ("MedLink", ["sofia@demo.salus.example"], None, None),
    ]
    ideas = {
        "CardioAcasă": ("Heart failure follow-up at home",
                        "A tablet and a connected scale let nurses follow heart-failure patients after discharge.",
                        "One heart-failure patient in four is readmitted within 30 days in Iași county.",
                        "Daily weight and symptom readings reach a nurse dashboard; alerts trigger a call.",
                        "Older patients discharged after heart failure, their families and community nurses."),
        "Pași Siguri": ("Safe steps: fall prevention for seniors",
                        "A screening visit and home exercises cut falls among people over 75.", "", "", ""),
        "DiabetCare": ("Diabetes coaching by text message",
                       "Weekly messages and a pharmacist call help people keep their treatment.",
                       "Many people with type 2 diabetes stop their treatment in the first year.",
                       "Personal text messages and a monthly pharmacist call.",
                       "Adults with type 2 diabetes in the first year of treatment."),
    }
    for offset, (name, emails, status, track) in enumerate(teams):
        team = Team(challenge_id=challenge.id, name=name, name_key=team_name_key(name),
                    invite_code=secrets.token_urlsafe(8), created_at=now - dt.timedelta(days=2, hours=offset),
                    looking_for_members=name in ("MedLink", "Pași Siguri"),
                    looking_for="A nurse or a family doctor who knows home care." if name == "MedLink" else "")
        for position, email in enumerate(emails):
            team.members.append(TeamMember(user_id=_user(email).id, challenge_id=challenge.id,
                                           role="captain" if position == 0 else "member",
                                           joined_at=now - dt.timedelta(days=2, hours=offset, minutes=-position)))
        db.session.add(team)
        db.session.flush()
        if status is None:
            continue
        title, summary, problem, solution, beneficiaries = ideas[name]
        idea = Idea(team_id=team.id, challenge_id=challenge.id, title=title, summary=summary, problem=problem,
                    solution=solution, beneficiaries=beneficiaries, track_id=track_ids[track], status=status,
                    links=["https://example.org/" + team.name_key.replace(" ", "-")] if status == "submitted" else [],
                    created_at=now - dt.timedelta(days=1), updated_at=now - dt.timedelta(hours=3),
                    submitted_at=now - dt.timedelta(hours=3) if status != "draft" else None,
                    withdrawn_at=now - dt.timedelta(hours=1) if status == "withdrawn" else None)
        db.session.add(idea)
        db.session.flush()
        db.session.add(IdeaRevision(idea_id=idea.id, version=1, status=status, content=idea.content(),
                                    author_id=team.members[0].user_id, created_at=idea.updated_at))
    db.session.add(TeamSeeker(challenge_id=challenge.id, user_id=_user("radu@demo.salus.example").id,
                              skills="Python, mobile apps, accessibility testing",
                              interests="Telemedicine for rural areas", created_at=now - dt.timedelta(hours=5)))


def _draft_call() -> None:
    now = clock.now()
    _new_challenge(
        CALL_TITLE, kind="call", status="draft", opens_at=now + dt.timedelta(days=14),
        submission_deadline=now + dt.timedelta(days=56), team_min_size=1, team_max_size=10, reviews_per_entry=3,
        budget_total=Decimal("1500000.00"), tracks=["Remote monitoring", "Teleconsultation"],
        description=("A national call in which regional health agencies file candidacies for telemedicine "
                     "programmes. Three to five regions are funded."),
        audience="Regional health agencies and their hospital partners.")


# The hackathon in judging: (team, members, idea title, summary, track, quality of the idea on 1–5).
JUDGING_TEAMS = [
    ("TeleHjerte", ["mette@demo.salus.example", "lars@demo.salus.example"], "Heart rhythm patches after discharge",
     "A patch records the heart rhythm for 14 days after a cardiac discharge; a nurse reads the alerts.", 0, 4.6),
    ("KOL hjemme", ["soren@demo.salus.example", "freja@demo.salus.example"], "Video rehabilitation for COPD at home",
     "Group exercise sessions by video for people with COPD who cannot travel to the training centre.", 1, 4.2),
    ("DiaVision", ["claire@demo.salus.example", "sofia@demo.salus.example"], "Diabetic eye screening at the pharmacy",
     "A retinal camera at the pharmacy; an ophthalmologist grades the images remotely within a week.", 2, 3.8),
    ("SårNet", ["nils@demo.salus.example"], "Photo-based wound care with the home nurse",
     "Home nurses photograph chronic wounds; a wound specialist advises the same day.", 0, 3.4),
    ("Tryg Nat", ["participant@demo.salus.example", "participant2@demo.salus.example"],
     "Night-time fall sensors in sheltered housing",
     "Radar sensors detect falls at night and call the night staff, without cameras.", 0, 3.0),
    ("PsykNær", ["andrei@demo.salus.example"], "Online therapy for mild depression in rural areas",
     "Guided internet therapy with a psychologist's weekly message, for people far from a clinic.", 2, 2.7),
    ("GraviData", ["elena@demo.salus.example"], "Home blood pressure in pregnancy",
     "Pregnant women at risk of pre-eclampsia measure their blood pressure at home; the midwife sees trends.", 0, 2.3),
    ("MedDose", ["mihai@demo.salus.example"], "Medication reminders with a pharmacist call",
     "A dispenser reminds older patients of their doses and tells the pharmacist when doses are missed.", 1, 1.9),
    ("SprogBro", ["radu@demo.salus.example"], "Remote interpreters for hospital consultations",
     "Video interpreters on call for consultations with patients who speak little Danish.", 2, 1.6),
]
# Each juror's habit: a shift of every score (severity) and how much their scores wander.
JUDGING_JURORS = [("juror@demo.salus.example", 1.0, 0.4), ("juror2@demo.salus.example", -1.0, 0.4),
                  ("jens@demo.salus.example", 0.0, 1.0), ("amelie@demo.salus.example", 0.0, 0.4)]
# Assignments left unscored, so the console shows work in progress and Giulia has some to score.
PENDING = {"juror@demo.salus.example": 2, "amelie@demo.salus.example": 1}
COMMENTS = ["A clear plan for a pilot; say who pays for the devices after the first year.",
            "Convincing problem; the evaluation plan needs a comparison group.",
            "Good patient perspective. The data flow between systems is not described.",
            "Realistic, but the staff time needed is underestimated."]


def _judging_challenge() -> bool:
    """A hackathon in judging, with jurors of different severities (its own rows: checked by title)."""
    from app.challenges.models import Challenge
    from app.judging.models import Assignment, SafetyFlag

    if db.session.scalar(select(Challenge.id).where(Challenge.title == JUDGING_TITLE)) is not None:
        return False
    now = clock.now()
    organiser = _user(PEOPLE[1][1])
    challenge = _new_challenge(
        JUDGING_TITLE, kind="hackathon", status="judging", opens_at=now - dt.timedelta(days=30),
        submission_deadline=now - dt.timedelta(days=3), opened_at=now - dt.timedelta(days=30),
        judging_started_at=now - dt.timedelta(days=2), team_min_size=1, team_max_size=4, reviews_per_entry=3,
        tracks=["Remote monitoring", "Rehabilitation at home", "Access to care"],
        description=("Region Syddanmark looks for **telemedicine pilots** that its hospitals and municipalities "
                     "can run in 2026. Ideas are scored with MAST, the Danish model for assessing telemedicine."),
        audience="Clinicians, municipalities, start-ups and patient associations of Southern Denmark.",
        prizes="Three pilots of one year, each with up to 400,000 DKK and a hospital partner.")
    ideas = _judged_entries(challenge, organiser, JUDGING_TEAMS, pending=PENDING, seed=2026)
    flagged = next(idea for idea in ideas if idea.title.startswith("Night-time"))
    raiser = db.session.scalar(select(Assignment.juror_user_id).where(Assignment.idea_id == flagged.id)
                               .order_by(Assignment.id).limit(1)) or organiser.id
    db.session.add(SafetyFlag(challenge_id=challenge.id, idea_id=flagged.id, raised_by_id=raiser,
                              kind="patient_safety", created_at=now - dt.timedelta(hours=20),
                              reason="The fall alarms go to a call centre that is staffed in the daytime only: at "
                                     "night nobody may answer. Please check before this pilot is ranked."))
    db.session.flush()
    return True


def _judged_entries(challenge: Any, organiser: User, teams: list[tuple[Any, ...]], *, pending: dict[str, int],
                    seed: int) -> list[Any]:
    """Teams with submitted ideas, the demo jury, balanced assignments and reviews, each juror with
    their habit; ``pending`` leaves some assignments unscored. Returns the ideas, best first."""
    import random

    from app.judging import access
    from app.judging.assignment import IdeaSlot, JurorSlot, plan_assignments
    from app.judging.models import Assignment, CriterionScore, Juror, Review
    from app.submissions.models import Idea, IdeaRevision
    from app.teams.models import Team, TeamMember
    from app.teams.rules import team_name_key

    now = clock.now()
    track_ids = [t.id for t in challenge.tracks]
    ideas = []
    for n, (name, emails, title, summary, track, quality) in enumerate(teams):
        team = Team(challenge_id=challenge.id, name=name, name_key=team_name_key(name),
                    invite_code=secrets.token_urlsafe(8), created_at=now - dt.timedelta(days=20, hours=n))
        team.members = [TeamMember(user_id=_user(email).id, challenge_id=challenge.id,
                                   role="captain" if position == 0 else "member",
                                   joined_at=now - dt.timedelta(days=20, hours=n, minutes=-position))
                        for position, email in enumerate(emails)]
        db.session.add(team)
        db.session.flush()
        submitted = now - dt.timedelta(days=3, hours=9 - n)
        idea = Idea(team_id=team.id, challenge_id=challenge.id, title=title, summary=summary, problem=summary,
                    solution=summary, beneficiaries="Patients of Southern Denmark and their carers.",
                    track_id=track_ids[track], status="submitted", created_at=submitted - dt.timedelta(days=5),
                    updated_at=submitted, submitted_at=submitted)
        db.session.add(idea)
        db.session.flush()
        db.session.add(IdeaRevision(idea_id=idea.id, version=1, status="submitted", content=idea.content(),
                                    author_id=team.members[0].user_id, created_at=submitted))
        ideas.append((idea, quality))
    jurors = {email: _user(email) for email, _shift, _wander in JUDGING_JURORS}
    for juror in jurors.values():
        db.session.add(Juror(challenge_id=challenge.id, user_id=juror.id, added_at=now - dt.timedelta(days=2),
                             added_by_id=organiser.id))
    db.session.flush()
    plan = plan_assignments([IdeaSlot(idea.id) for idea, _q in ideas], [JurorSlot(j.id) for j in jurors.values()],
                            access.conflict_pairs(challenge.id), [], challenge.reviews_per_entry)
    for juror_id, idea_id in plan.new:
        db.session.add(Assignment(challenge_id=challenge.id, idea_id=idea_id, juror_user_id=juror_id,
                                  created_at=now - dt.timedelta(days=2), created_by_id=organiser.id))
    rng = random.Random(seed)  # nosec B311 - the same demo every time
    criteria = list(challenge.criteria)
    # Each idea is stronger on some criteria than others, and every juror sees that; the last
    # criterion (transferability) is the one jurors read differently, so its agreement is poor.
    merit = {(idea.id, c.id): q + rng.gauss(0, .5) for idea, q in ideas for c in criteria}
    for email, shift, wander in JUDGING_JURORS:
        mine = [idea_id for juror_id, idea_id in plan.new if juror_id == jurors[email].id]
        for n, idea_id in enumerate(mine[:len(mine) - pending.get(email, 0)]):
            values = [min(5, max(1, round(merit[idea_id, c.id] + shift + rng.gauss(0, wander)
                                          + (rng.gauss(0, 1.5) if c is criteria[-1] else 0)))) for c in criteria]
            saved = now - dt.timedelta(hours=30 - n)
            db.session.add(Review(challenge_id=challenge.id, idea_id=idea_id, juror_user_id=jurors[email].id,
                                  comment=COMMENTS[(idea_id + n) % len(COMMENTS)], created_at=saved,
                                  updated_at=saved, scores=[CriterionScore(criterion_id=c.id, value=v)
                                                            for c, v in zip(criteria, values)]))
    db.session.flush()
    return [idea for idea, _q in ideas]


# A finished hackathon with its results published: (team, members, idea title, summary, track, quality).
PUBLISHED_TEAMS = [
    ("Stærk Hjemme", ["freja@demo.salus.example", "soren@demo.salus.example"],
     "Strength training by tablet for people over 80",
     "A physiotherapist leads short strength sessions by tablet twice a week; falls and hospital stays drop.", 1, 4.5),
    ("MadVen", ["mette@demo.salus.example"], "Meal companions against malnutrition",
     "Volunteers share a weekly meal with older people living alone and weigh them once a month.", 2, 4.0),
    ("Husk Mig", ["participant@demo.salus.example", "participant2@demo.salus.example"],
     "Memory aids for early dementia at home",
     "A calendar screen and a daily call from the home nurse help people with early dementia stay at home.", 0, 3.6),
    ("NatLys", ["nils@demo.salus.example"], "Night lights that prevent falls",
     "Motion-sensing lights guide the way to the bathroom at night, where most falls at home happen.", 0, 3.1),
    ("SundTale", ["claire@demo.salus.example", "sofia@demo.salus.example"], "A voice line for medication questions",
     "Older patients call a voice line that answers common medication questions and hands over to a pharmacist.",
     2, 2.6),
    ("GåSammen", ["lars@demo.salus.example"], "Walking groups matched by a phone call",
     "A weekly phone call matches neighbours into small walking groups with the same pace.", 1, 2.0),
]
# The awards of the published hackathon, to the entries in rank order: (name, amount in DKK).
PUBLISHED_AWARDS = [("First prize: a one-year pilot", "400000"), ("Second prize: a six-month pilot", "250000"),
                    ("Third prize: a feasibility study", "100000"), ("Citizens' mention", None)]


def _published_challenge() -> bool:
    """A hackathon whose results are published through the same service organisers use, so its
    page, digest, downloads and mails are the real ones (its own rows: checked by title)."""
    from app.challenges.models import Challenge
    from app.judging.ranking import challenge_ranking
    from app.results.models import Award
    from app.results.publication import publish_results

    if db.session.scalar(select(Challenge.id).where(Challenge.title == PUBLISHED_TITLE)) is not None:
        return False
    now = clock.now()
    organiser = _user(PEOPLE[1][1])
    challenge = _new_challenge(
        PUBLISHED_TITLE, kind="hackathon", status="judging", opens_at=now - dt.timedelta(days=120),
        submission_deadline=now - dt.timedelta(days=60), opened_at=now - dt.timedelta(days=120),
        judging_started_at=now - dt.timedelta(days=58), team_min_size=1, team_max_size=4, reviews_per_entry=3,
        currency="DKK", results_visibility="full",
        tracks=["Safety at home", "Staying active", "Food and company"],
        description=("Odense Kommune asked for ideas that help **older people live well at home** for longer: "
                     "safer homes, more movement, better meals and company."),
        audience="Home-care staff, older citizens and their families, associations and start-ups of Odense.",
        prizes="A one-year pilot (400,000 DKK), a six-month pilot (250,000 DKK) and a feasibility study "
               "(100,000 DKK).")
    _judged_entries(challenge, organiser, PUBLISHED_TEAMS, pending={}, seed=2025)
    entries = challenge_ranking(challenge, details=False)["entries"]
    for position, (entry, (name, amount)) in enumerate(zip(entries, PUBLISHED_AWARDS)):
        db.session.add(Award(challenge_id=challenge.id, idea_id=entry["idea_id"], name=name, position=position,
                             amount=Decimal(amount) if amount else None, created_by_id=organiser.id,
                             created_at=now - dt.timedelta(days=1)))
    db.session.flush()
    publish_results(challenge, organiser)
    return True
