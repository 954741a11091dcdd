"""Stories written for these tests (no agency or ECB+ text): two outlets per event, on purpose
worded differently, and a second event of the same kind on the same day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wiredesk.cluster import ClusterDoc

MORNING = datetime(2025, 8, 17, 6, 0, tzinfo=UTC)


def doc(story_id: str, headline: str, body: str, hours: float = 0.0) -> ClusterDoc:
    return ClusterDoc(id=story_id, headline=headline, body=body,
                      published=MORNING + timedelta(hours=hours))


WILDFIRE_A = doc(
    "harbor-1", "UPDATE 2-Wildfire forces thousands to flee Kelowna",
    "KELOWNA, British Columbia, Aug 17 - A fast-moving wildfire forced about 4,800 people from "
    "their homes in Kelowna and West Kelowna overnight, fire chief Jason Brolund said on Sunday. "
    "Crews from the BC Wildfire Service fought the McDougall Creek fire on the slopes above "
    "Okanagan Lake as strong winds pushed flames towards houses. Brolund said several homes had "
    "burned. Highway 97 was closed near the bridge and the province declared a state of emergency.",
)
WILDFIRE_B = doc(
    "meridian-7", "Kelowna wildfire: 4,800 evacuated as McDougall Creek fire jumps Okanagan Lake",
    "Thousands of residents of West Kelowna and Kelowna were ordered out on Sunday as the "
    "McDougall Creek wildfire crossed Okanagan Lake, West Kelowna fire chief Jason Brolund told "
    "reporters. The BC Wildfire Service said gusts had driven embers across the water. British "
    "Columbia declared a provincial state of emergency and closed Highway 97 by the bridge.",
    hours=3,
)
QUAKE_SUMATRA_A = doc(
    "harbor-2", "Magnitude 6.1 earthquake strikes off Sumatra, three dead",
    "JAKARTA, Aug 17 - A magnitude 6.1 earthquake struck off the west coast of Sumatra on Sunday, "
    "killing three people in Padang and damaging dozens of buildings, Indonesia's disaster agency "
    "BNPB said. The quake hit at a depth of 24 km near the Mentawai Islands. Agency spokesman "
    "Abdul Muhari said no tsunami warning was issued. Residents of Padang ran into the streets.",
    hours=1,
)
QUAKE_SULAWESI_A = doc(
    "harbor-3", "Strong 5.4 quake shakes Sulawesi, hospital evacuated in Palu",
    "PALU, Indonesia, Aug 17 - A magnitude 5.4 earthquake shook central Sulawesi on Sunday "
    "evening, and patients were moved out of Undata hospital in Palu as a precaution, the "
    "meteorology agency BMKG said. The quake was centred 15 km north of Donggala at a depth of "
    "10 km. BMKG head Dwikorita Karnawati said there was no threat of a tsunami. Two people were "
    "hurt by falling debris in Donggala.",
    hours=2,
)
QUAKE_SUMATRA_B = doc(
    "meridian-8", "Sumatra quake kills three in Padang as buildings crack",
    "Three people died in Padang when a 6.1 magnitude earthquake hit off Sumatra's west coast on "
    "Sunday, according to Indonesia's disaster mitigation agency BNPB. Spokesman Abdul Muhari "
    "said dozens of buildings were damaged. The epicentre was near the Mentawai Islands, 24 km "
    "deep, and no tsunami alert was issued.",
    hours=4,
)
QUAKE_SULAWESI_B = doc(
    "meridian-9", "Palu hospital evacuated after 5.4 earthquake in central Sulawesi",
    "Patients at Undata hospital in Palu were evacuated on Sunday after a 5.4 magnitude quake "
    "rocked central Sulawesi, Indonesia's BMKG agency said. The shallow quake, 10 km deep, was "
    "centred north of Donggala, where two people were injured. BMKG chief Dwikorita Karnawati "
    "ruled out a tsunami.",
    hours=5,
)


def later(story: ClusterDoc, story_id: str, days: float) -> ClusterDoc:
    """The same kind of story, ``days`` after ``story``."""
    return ClusterDoc(id=story_id, headline=story.headline, body=story.body,
                      published=story.published + timedelta(days=days))
QUAKE_SULAWESI_C = doc(
    "lantern-4", "Donggala counts damage after Sulawesi tremor",
    "Officials in Donggala said on Sunday that the magnitude 5.4 earthquake which shook central "
    "Sulawesi had cracked a school and a mosque, and two injured residents were treated at Undata "
    "hospital in Palu. BMKG head Dwikorita Karnawati repeated that the quake, 10 km deep, posed no "
    "tsunami threat.",
    hours=6,
)
