"""IPTC Media Topics for a story: ``classify(headline, text, subjects=()) -> list[Topic]``.

Why two paths. Agencies often send their own subject codes (IPTC Media Topics or the older IPTC
Subject Codes); when they do, those codes are the editors' judgement and beat any guess from the
text, so :func:`topics_from_subjects` maps them first. Feeds and most wire copy send none, so
:func:`classify` also reads the text.

The text method is a hand-written weighted lexicon per top-level topic: words and short phrases
an editor would recognise as evidence ("wickets", "interest rates", "asylum seekers"), each with a
weight of 0.5-3. A story's score for a topic is the sum of its matched terms' weights, each term
counted sublinearly (1 + ln n, so a word repeated ten times is not ten times the evidence) and
headline terms counted three times over (the headline says what the story is about). The best
topic is kept when its score clears a floor; others are kept when they reach a fixed share of the
best, up to three in all. This is deliberately simple: it needs no model or training data (and so
cannot overfit a corpus we may not ship), runs in well under a millisecond per story, and every
decision can be explained by pointing at the words that caused it. The weights and the two
thresholds were tuned on the *dev* half of the labelled sample only (see
``benchmarks/topic_quality.py`` and ``tests/fixtures/topics/README.md``).

Only the 17 top-level topics are decided from text, plus a few named aspects under them (such as
"migration of people" under society) that a desk asked for. An aspect carries an IPTC qcode only
where the code is attested in IPTC's or agencies' published examples; otherwise its ``detail_qcode``
is empty rather than guessed.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

Source = Literal["subject", "text"]

# The 17 top-level IPTC Media Topics (labels as the scheme spells them, lower case).
TOP_LEVEL: dict[str, str] = {
    "medtop:01000000": "arts, culture, entertainment and media",
    "medtop:02000000": "crime, law and justice",
    "medtop:03000000": "disaster, accident and emergency incident",
    "medtop:04000000": "economy, business and finance",
    "medtop:05000000": "education",
    "medtop:06000000": "environment",
    "medtop:07000000": "health",
    "medtop:08000000": "human interest",
    "medtop:09000000": "labour",
    "medtop:10000000": "lifestyle and leisure",
    "medtop:11000000": "politics",
    "medtop:12000000": "religion",
    "medtop:13000000": "science and technology",
    "medtop:14000000": "society",
    "medtop:15000000": "sport",
    "medtop:16000000": "conflict, war and peace",
    "medtop:17000000": "weather",
}

# Short names used by the lexicon, the labels file and the tests.
NAMES: dict[str, str] = {
    "arts": "medtop:01000000",
    "crime": "medtop:02000000",
    "disaster": "medtop:03000000",
    "economy": "medtop:04000000",
    "education": "medtop:05000000",
    "environment": "medtop:06000000",
    "health": "medtop:07000000",
    "human": "medtop:08000000",
    "labour": "medtop:09000000",
    "lifestyle": "medtop:10000000",
    "politics": "medtop:11000000",
    "religion": "medtop:12000000",
    "science": "medtop:13000000",
    "society": "medtop:14000000",
    "sport": "medtop:15000000",
    "conflict": "medtop:16000000",
    "weather": "medtop:17000000",
}

# Narrower Media Topics whose top-level ancestor we know, each attested with its label in IPTC's
# own NewsML-G2/ninjs examples or in agency copy (dpa, AP) carried in ../shared/data. Codes of
# 20000000 and above say nothing about their ancestor in their digits, so an unknown one is not
# mapped at all.
SUBTOPICS: dict[str, tuple[str, str]] = {
    "medtop:20000003": ("animation", "medtop:01000000"),
    "medtop:20000304": ("media", "medtop:01000000"),
    "medtop:20000309": ("news agency", "medtop:01000000"),
    "medtop:20000350": ("central bank", "medtop:04000000"),
    "medtop:20000379": ("money and monetary policy", "medtop:04000000"),
    "medtop:20000523": ("labour market", "medtop:09000000"),
    "medtop:20000533": ("unemployment", "medtop:09000000"),
    "medtop:20000763": ("IT/computer sciences", "medtop:13000000"),
    "medtop:20000822": ("competition discipline", "medtop:15000000"),
    "medtop:20000849": ("baseball", "medtop:15000000"),
    "medtop:20001057": ("alpine skiing", "medtop:15000000"),
    "medtop:20001065": ("football", "medtop:15000000"),
    "medtop:20001071": ("swimming", "medtop:15000000"),
}

_MEDTOP_URI = "http://cv.iptc.org/newscodes/mediatopic/"
_SUBJECT_URI = "http://cv.iptc.org/newscodes/subjectcode/"


@dataclass(frozen=True, slots=True)
class Topic:
    """One topic of a story.

    ``qcode`` and ``label`` are always a top-level Media Topic, so callers can group and filter on
    17 values. ``detail`` names an aspect under it when one was recognised ("migration of people"),
    with ``detail_qcode`` only when that aspect's IPTC code is known. ``score`` is 1.0 for a topic
    the source sent, else the lexicon score (comparable between topics of one story only).
    """

    qcode: str
    label: str
    score: float
    source: Source
    detail: str = ""
    detail_qcode: str = ""

    @property
    def name(self) -> str:
        """The topic as an editor reads it: "society / migration of people"."""
        return f"{self.label} / {self.detail}" if self.detail else self.label


# --- subject codes -------------------------------------------------------------------------------

_CODE_RE = re.compile(r"^(?:(medtop|subj|iptc|subjectcode|mediatopic):)?(\d{8})$")
_SCHEMES = {"": "subj", "mediatopic": "medtop", "subjectcode": "subj", "iptc": "subj"}


def _top_level_of(code: str) -> tuple[str, str, str] | None:
    """(top-level qcode, detail label, detail qcode) for one source code, or None if unknown."""
    lowered = code.strip().lower()
    if lowered.startswith(_MEDTOP_URI):
        scheme, digits = "medtop", lowered[len(_MEDTOP_URI) :].strip("/")
    elif lowered.startswith(_SUBJECT_URI):
        scheme, digits = "subj", lowered[len(_SUBJECT_URI) :].strip("/")
    else:
        match = _CODE_RE.match(lowered)
        if not match:
            return None
        scheme, digits = match.group(1) or "", match.group(2)
        scheme = _SCHEMES.get(scheme, scheme)
    if not re.fullmatch(r"\d{8}", digits):
        return None
    if scheme == "medtop":
        qcode = f"medtop:{digits}"
        if qcode in TOP_LEVEL:
            return qcode, "", ""
        if qcode in SUBTOPICS:
            label, parent = SUBTOPICS[qcode]
            return parent, label, qcode
        # Below 20000000 Media Topics reuse the Subject Code numbering, whose first two digits
        # are the top level; from 20000000 on the digits carry no hierarchy.
        if int(digits) < 20_000_000 and 1 <= int(digits[:2]) <= 17:
            return f"medtop:{digits[:2]}000000", "", ""
        return None
    # Subject Codes (also sent as bare 8-digit numbers): the first two digits are one of the 17
    # top-level subjects, which match the 17 top-level Media Topics one to one.
    if 1 <= int(digits[:2]) <= 17:
        return f"medtop:{digits[:2]}000000", "", ""
    return None


def topics_from_subjects(subjects: Iterable[str]) -> list[Topic]:
    """The distinct top-level topics of a source's subject codes, in the source's order.

    Accepts ``medtop:NNNNNNNN``, Media Topic URIs, ``subj:``/``iptc:`` Subject Codes, their URIs
    and bare 8-digit Subject Codes. Codes it cannot place (agency-private codes, Media Topics from
    20000000 up that are not in :data:`SUBTOPICS`) are skipped, never guessed.
    """
    found: dict[str, Topic] = {}
    for code in subjects:
        placed = _top_level_of(code)
        if placed is None:
            continue
        qcode, detail, detail_qcode = placed
        previous = found.get(qcode)
        if previous is None or (detail and not previous.detail):
            found[qcode] = Topic(qcode, TOP_LEVEL[qcode], 1.0, "subject", detail, detail_qcode)
    return list(found.values())


# --- the lexicon ---------------------------------------------------------------------------------

# Per topic: entries "term:weight" separated by white space; "a_b" is the phrase "a b"; a trailing
# "*" makes a prefix (four letters or more before it). Terms are lower case and matched on word
# tokens (letters and digits: hyphens and apostrophes split words, so "pin-up" is "pin_up").
_LEXICON_SOURCE: dict[str, str] = {
    "arts": """
        film:2 films:2 movie:3 movies:3 actor:3 actress:3 actors:3 hollywood:3 oscar:3 oscars:3
        grammy:3 grammys:3 album:2 song:2 songs:2 singer:3 concert:2 concerts:2 music:2
        musician:3 musicians:3 theatre:2 theater:2 museum:2 museums:2 exhibit:2 exhibition:2
        exhibits:2 gallery:1.5 artist:2 artists:2 art:1 arts:1.5 painting:2 paintings:2 novel:2
        novelist:3 poet:3 poetry:3 author:1 book:1 festival:1 television:1.5 tv:1 sitcom:3
        episode:2 episodes:2 documentary:2 premiere:2 box_office:3 celebrity:2 celebrities:2
        rapper:3 comedian:2 comedians:2 comics:2 anime:2 cinema:3 broadway:3 ballet:3 opera:3
        orchestra:3 magazine:2 magazines:2 journalism:2 entertainment:2
        entertainer:3 sequel:3 director:1 directors:1 starred:2 starring:2 star:1 stars:1
        screen:1 studio:1 studios:1.5 late_night:2 talk_show:3 radio_station:2 broadcaster:1.5
        photography:2 photographer:1.5 filmmaker:3 screenplay:3 drama:2
        comedy:2 pop_culture:3 viewers:1.5
        superhero*:2 critic:2 critics:1 awards:1 ceremony:0.5 host:0.5 nominees:2
        showbiz:3 pop_star:3 popstar:3 adult_film:2 science_fiction:2 comic_books:2 cosplay:3
        publishing:2 publisher:1.5 horror:1.5 fantasy:1 radio:1 media:1 tv_show:2
    """,
    "crime": """
        police:2 arrested:3 arrest:3 arrests:1 charged:3 charges:2 court:2 courtroom:3 judge:2
        jury:3 trial:2 sentenced:3 sentences:2 prison:2 jail:3 murder:3 homicide:3
        manslaughter:3 shooting:2 shot:1 gunman:3 gunmen:3 suspect:3 suspects:3 crime:3
        crimes:3 criminal:3 fraud:3 scam:2 theft:3 robbery:3 robber:3 stolen:2
        smuggling:1.5 trafficking:1.5 trafficked:2 prosecutor:3 prosecutors:3 prosecution:2
        prosecuted:3 prosecute:3 lawsuit:3 sued:3 sues:3 lawyer:2 lawyers:2
        attorney:1.5 defendant:3 convicted:3 guilty:3 allegedly:2 alleged:1.5 detectives:3
        investigators:1.5 investigation:1 fbi:2 rcmp:2 arson:3 assault:2 extradition:3 bail:3
        custody:2 inmate:3 inmates:3 prisoner:2 manhunt:3 piracy:2 pirate:2 pirates:2
        corruption:2 verdict:3 supreme_court:2 offence:2 offense:2 misdemeanor:3 felony:3
        death_penalty:3 hit_and_run:3 stabbing:3 stabbed:3 killer:2
        legal:1 law:1 justice:1.5 judges:2 fined:1 charge:1 accused:2
        hackers:2 hacked:1.5 abuse:1 deputy:0.5 officer:1 officers:1
        gang:2
        convict*:2 lawmaker:0 sentencing:3 appeal:1
        smuggle*:1.5 inquiry:1 special_counsel:2 special_prosecutor:2 hacking:1.5
    """,
    "disaster": """
        earthquake:3 quake:3 tsunami:3 flood:2 flooding:3 floods:3 flooded:3 wildfire:3
        wildfires:3 bushfire:3 bushfires:3 fire:2 fires:2 blaze:3 firefighters:3 explosion:2
        crash:2 crashed:2 collision:2 derailed:3 accident:3 accidents:2 collapse:2 collapsed:2
        stampede:3 volcano:3 eruption:3 erupted:3 erupts:3 hurricane:2 tornado:2 cyclone:2
        landslide:3 avalanche:3 disaster:3 disasters:2 emergency:1 evacuated:2 evacuation:2
        rescue:2 rescued:2 rescuers:3 death_toll:3 survivors:2 injured:1 wounded:1 shipwreck*:3
        sank:2 wrecked:2 burned:2 burns:1 smoke:1 magnitude:2 red_cross:1.5 fire_marshal:3
        blazes:3 struck:0.5
        damaged:1 destroyed:1 damages:0.5 collided:3 derail*:3 train_crash:3 injuries:1
        minor_injuries:2 toppled:2 casualties:1.5
        capsized:3 aftershock*:3 river:0.5
    """,
    "economy": """
        company:2 companies:2 market:2 markets:2 shares:2 stock:1.5 stocks:2 investor:2
        investors:2 profit:3 profits:3 revenue:3 revenues:3 earnings:3 sales:2 bank:1 banks:1
        billion:1 million:0.5 price:2 prices:2 economy:3 economic:2 gdp:3 inflation:3 trade:2
        tariff:3 tariffs:3 business:2 businesses:2 deal:1 acquisition:3 merger:3 ceo:3
        chief_executive:3 firm:2 firms:2 industry:2 oil:1.5 crude:2 gold:1 dollar:2
        currency:3 bond:1.5 bonds:2 yield:2 yields:2 analysts:2 quarter:1 fiscal:2 budget:1.5
        tax:1.5 taxes:1.5 debt:2 investment:2 investments:2 retailer:3 retail:2 consumer:1
        consumers:1 tonnes:2 futures:3 commodity:2 commodities:2 exports:3 imports:2 wheat:1.5
        cattle:1.5 shipping:1 contract:1 customers:1 brand:1 brands:1
        stores:1 supermarket:1 receivers:3 bankrupt:3 bankruptcy:3 shareholders:3
        shareholder:3 dividend:3 per_share:3 wall_street:3 nasdaq:3 dow:2 ftse:3 dax:3
        central_bank:3 interest_rates:3 real_estate:3 housing_market:3 rents:2 rent:1.5
        startup:2 valuation:2 per_cent:1 percent:0.5 finance:2 financial:2 economists:3
        economist:3 monetary:3 trading:1.5 traders:3 barrel:3 barrels:3 opec:3 loss:1
        losses:1 restructuring:3 subsidiary:3 affiliates:2 stake:2 stakes:2 assets:2
        manufacturer:2 production:1 output:2 supply:1 demand:1.5 credit:1 loans:2 mortgage:3
        plc:3 inc:2 corp:2 ltd:1.5 marks:0.5 yen:3 won:0 stg:3 tanker:2 vessels:0.5
        free_trade:3 trade_agreement:3 freight:2 airline:1 airlines:2 landlord:2 tenants:1.5
        retailing:3 chain:1 sell:1 sold:1 buy:1 purchase:1.5
        pipeline:1 treasury:2 worth:1 advertising:1.5
        cryptocurrenc*:2 shoppers:2 airline_industry:3 aviation:2 flights:1 contracts:1
    """,
    "education": """
        school:2 schools:2 students:2 student:2 teacher:3 teachers:3 university:2
        universities:2 college:1.5 colleges:2 classroom:3 classrooms:3 education:3
        educational:2 campus:2 kindergarten:3 pupils:3 curriculum:3 tuition:3 professor:1
        school_board:3 school_district:3 graduates:1.5 academic:1 class_sizes:3
        high_school:1.5 expelled:1 institute:1 studies:0.5 scholars:1 semester:3 exam:2
        exams:3 literacy:2
    """,
    "environment": """
        climate_change:3 climate:2 emissions:3 carbon:2 pollution:3 environmental:3
        environment:2 conservation:3 endangered:3 species:2 wildlife:3 habitat:3 greenhouse:3
        global_warming:3 fossil_fuels:2 renewable:2 deforestation:3 national_park:2
        national_parks:2 public_lands:3 recycling:3 ozone:2 extinct:3 extinction:3
        ecosystem:3 ecosystems:3 carbon_tax:3 carbon_pricing:3 sustainable:2 biodiversity:3
        fish_stocks:3 drought:1 crops:1 nature:1
        conservationist*:3 protected_areas:3 monuments:1 wilderness:3
    """,
    "health": """
        health:2 hospital:1.5 hospitals:1.5 patients:3 patient:2 doctor:2 doctors:2 medical:2
        medicine:2 disease:3 diseases:3 cancer:3 virus:2 vaccine:3 vaccines:3 treatment:2
        treatments:2 symptoms:3 ambulance:2 ambulances:2 paramedics:2 nurses:3 nurse:2
        mental_health:3 ptsd:2 obesity:3 diabetes:3 blood_pressure:3 hypertension:3
        epidemic:3 pandemic:3 infection:3 infections:3 surgery:2 surgeries:2 rehab:2
        addiction:2 addicts:2 opioid:3 opioids:3 overdose:3 deficiency:3 deficient:3
        nutrition:2 nutritional:2 clinic:2 healthcare:3 health_care:3 cdc:2 malaria:3
        pneumonia:2 diagnosed:2 therapy:2 assisted_dying:3 medically:2 heart_attack:2
        recovery:1 drugs:1 heroin:2 healthy:1.5
        exercise:1 stroke:1 illness:3 ill:1 plastic_surgery:2 cosmetic:1
        breakdown:0.5 eating:0.5 pharmac*:3
    """,
    "human": """
        bizarre:2 santa_claus:2 santa:1.5 honored:1.5 honoured:1.5 achievement:1 hero:1.5
        viral:1.5 anniversary:1 oddity:3 prize:1 award:1 quirky:3 oddly:1 world_record:2
        birthday:2 pet:2 pets:2 zoo:2
        puppy:3 kitten:3 lottery:2 wedding:2 centenarian:3 heartwarming:2
        unusual:1 strange:0.5

    """,
    "labour": """
        jobs:2 job:1.5 workers:2 employees:1.5 employment:3 unemployment:3 unemployed:3
        union:2 unions:3 strike:2 strikes:1 wage:3 wages:3 salary:1 minimum_wage:3 labour:2
        labor:2 layoffs:3 laid_off:3 hiring:2 workplace:3 pension:2 pensions:2 retire:1
        retirement:1 collective_bargaining:3 walkout:3 employer:2 employers:2
        recruit*:0.5 staff:0.5 careers:1 career:0.5 labour_market:3

    """,
    "lifestyle": """
        recipe:3 recipes:3 cookbook:3 cookbooks:3 cooking:2 cook:1.5 food:1 restaurant:1.5
        restaurants:1.5 chef:2 chefs:2 travel:2 tourism:2 tourists:2 holiday:1.5 holidays:1.5
        vacation:2 fashion:2 yoga:3 fitness:2 hobby:3 gardening:3 wine:2 dining:2
        shopping:1 leisure:3 fishing:1.5 fishermen:1 anglers:3 angler:3 board_game:3
        celebrations:1 beauty:1 delicious:3
        savoury:3 savory:2 kitchen:2 dish:2 dishes:1.5 baking:2 bakers:2 festivities:2
        costumes:1.5 convention:0.5 fans:0.2 weekend:0.5 boat:0.5
    """,
    "politics": """
        government:2 minister:2 prime_minister:3 president:1.5 election:3 elections:3 vote:2
        voters:3 votes:2 voting:2 ballot:3 campaign:1.5 parliament:3 parliamentary:3 senate:2
        senator:2 senators:2 congress:2 congressional:2 lawmakers:3 legislation:2
        legislature:3 legislative:3 bill:1 party:1 parties:1 opposition:2 democrats:3
        republicans:3 democratic:1.5 republican:2 liberal:1.5 liberals:2 conservative:1.5
        conservatives:2 mp:2 mps:3 mayor:2 mayoral:3 policy:1.5 policies:1.5 diplomatic:2
        diplomat:2 diplomats:2 ambassador:2 foreign_minister:3 summit:2 white_house:2
        administration:1.5 premier:1.5 cabinet:2 political:2 politics:2 politician:3
        politicians:3 referendum:3 constitution:2 state_of_the_union:3 brexit:3 sanctions:2
        treaty:2 united_nations:1 governor:1.5 ministry:2 ministries:2 officials:1
        immigration:1 border:1 by_election:3 candidate:2 candidates:2 polls:2 caucus:3
        shutdown:2 house_speaker:3 speaker:1 leadership:1.5 independence:1.5
        separatist*:2 coalition:2 regime:1.5 term:0.5 presidential:2 envoy:2
        talks:1 negotiators:1.5 flag:1 federal:1 provincial:1.5 municipal:2
        municipalities:2 state_department:3 foreign_affairs:3 interior:1 pentagon:1
        bipartisan:3 midterm:3 midterms:3 secretary:1 memo:1 classified:1
        government_officials:2 authoritarian:2 democracy:2 kremlin:2 un:0.5 regulations:1.5
        regulation:1
        inquiry:1 collusion:2 agreement:0.5
    """,
    "religion": """
        church:3 churches:3 religious:3 religion:3 faith:2 catholic:3 pope:3 vatican:3
        cardinals:1 bishop:3 bishops:3 priest:3 priests:3 mosque:3 mosques:3 muslim:2
        muslims:2 islam:2 islamic:1 christian:2 christians:2 jewish:2 synagogue:3 temple:2
        worship:3 worshippers:3 pilgrims:3 pilgrimage:3 hajj:3 scientology:3 scientologist:3
        scientologists:3 clergy:3 pastor:3 god:1 gods:2 deities:3 prayer:2 prayers:2 bible:3
        conclave:3 pontiff:3 orthodox:2 buddhist:2 hindu:2 sect:2 spiritual:2
        congregation:3 monks:3 theolog*:3 rabbi:3 imam:3
    """,
    "science": """
        research:1.5 researchers:2 scientists:3 scientist:3 study:1 science:3 scientific:3
        nasa:3 space:2 shuttle:2 astronaut:3 astronauts:3 moon:2 planet:2 technology:2
        tech:2 software:3 app:2 apps:2 internet:2 computer:2 computers:2 browser:3 browsers:3
        website:1 data:1 cyber:2 cybersecurity:3 facebook:1 apple:1 microsoft:2 google:1
        smartphone:3 iphone:2 ipad:2 robot:3 robots:3 robotics:3 artificial_intelligence:3
        laboratory:2 lab:2 genome:3 dna:2 physics:3 biology:2 biologist:3 experiment:2
        telescope:3 satellite:2 rocket:2 eclipse:3 journal:1 palaeontologist:3
        paleontologist:3 dinosaur:3 dinosaurs:3 fossils:2 electric_vehicle:1.5
        electric_car:1.5 battery:1
        users:1.5 online:0.5 social_network:2 social_media:1 engineering:1.5 engineer:1
        innovation:2 digital:1 database:2 hackers:1 hacking:1.5
        lunar:3 crypto*:1 study_published:2 peer_reviewed:3
    """,
    "society": """
        homeless:3 homelessness:3 poverty:3 immigrants:3 immigrant:3 immigration:2.5
        migrants:3 migrant:3 migration:3 refugees:3 refugee:3 asylum:3 deportation:3
        deported:3 citizenship:2 racism:3 racist:2 discrimination:3 discriminatory:3
        indigenous:3 first_nations:3 minority:2 minorities:2 community:1 communities:1
        social:1.5 welfare:2 housing:1.5 affordable:1 families:1 family:0.5 youth:1 women:1
        gender:2 feminist:3 feminism:3 metoo:3 lgbt:3 gay:2 transgender:3 same_sex:2
        civil_rights:3 human_rights:2 activists:1.5 activism:2 activist:1.5 charity:2
        inequality:3 undocumented:3 border_patrol:2 abortion:3 slavery:3 diversity:2 race:0.5
        racial:3 segregation:3 social_justice:3 tenant:1
        humanitarian:1.5
        divisions:1 privilege:1 visas:1 visa:1 crossings:1.5
        heritage:0.5 black:0.5 white:0.2 class:0.3
    """,
    "sport": """
        game:1 games:1 match:2 matches:2 team:1.5 teams:1.5 season:1.5 coach:2 coaches:2
        player:2 players:2 league:3 championship:3 championships:3 tournament:3 cup:2
        scored:3 goal:1.5 goals:2 win:1 wins:1 defeated:1.5 beat:1 victory:1 final:1
        semifinal:3 semifinals:3 quarterfinal:3 quarterfinals:3 soccer:3 football:2.5 nfl:3
        nba:3 nhl:3 mlb:3 baseball:3 basketball:3 hockey:3 golf:3 golfer:3 golfers:3 tennis:3
        cricket:3 rugby:3 boxing:3 olympic:3 olympics:3 athlete:3 athletes:3 stadium:2 fans:1.5
        striker:3 midfielder:3 defender:2 goalkeeper:3 goalie:3 pga:3 world_cup:3
        premier_league:3 halftime:3 innings:3 wickets:3 wicket:3 heavyweight:3 knockout:2
        knockouts:2 medal:1.5 racing:2 cycling:3 skiing:3 squash:2 badminton:3 bobsleigh:3
        biathlon:3 referee:3 penalty:1 score:1 scores:1 standings:3 fixtures:1 qualifier:2
        transfer:1 pitcher:3 quarterback:3 touchdown:3 playoffs:3
        paralympic:3 paralympics:3 swimmer:3 formula_one:3 grand_prix:2 nrl:3 champion:2
        champions:2 attendance:1 title:1 titles:1 rounds:0.5 round:0.5 saves:1.5
        tour:0.5 free_agent:3
        rebounds:3 points:0.5 trophy:3 squad:2 heavyweights:3
        fifa:3 uefa:3 club:1 clubs:1 signing:1
        conference:0.3 division:1 seeded:2 draw:0.5 champs:2
        sports:2 sport:2 athletic*:2 lpga:3 nascar:3 motorsport*:3 sprint:1 marathon:2
        ice_hockey:3 american_football:3 fight:0.5 bout:2 referee*:1 whistle:1
    """,
    "conflict": """
        war:3 wars:3 military:2 troops:3 soldiers:3 army:2 militants:3 militant:3
        insurgents:3 insurgency:3 rebels:3 rebel:2 attack:1 attacks:1 bomb:1 bombing:2
        bombings:2 airstrike:3 airstrikes:3 terrorism:3 terrorist:3 terrorists:3 terror:2
        isis:3 taliban:3 ceasefire:3 peace_talks:3 peace:1.5 conflict:2 civil_war:3
        invasion:3 missile:3 missiles:3 artillery:3 weapons:1.5 nuclear:1 navy:1.5
        naval:1.5 warship:3 armed:2 guerrilla:3 militia:3 massacre:2 siege:3 protest:1.5
        protests:1.5 protesters:2 protester:1.5 demonstrators:2 riot:2 riots:2 riot_police:2
        unrest:3 clashes:2 mutiny:3 coup:3 hostage:2 hostages:2 occupation:1 liberation:1
        war_crimes:3 defence:1 defense:1 nato:2 shells:2 front_line:2
        frontier:0.5 ousted:1 rally:1 rallies:1 marched:1.5 march:0.5 extremists:3
        extremist:3 jihadist*:3 security_forces:3 peace_conference:3
        paramilitary:2 weapon:1 grenade:2 assassination:2
    """,
    "weather": """
        weather:3 forecast:2 forecasts:2 forecaster*:3 rain:2 rains:2 rainfall:3 snow:2
        snowfall:3 storm:2 storms:2 temperatures:3 temperature:2 heat_wave:3 heatwave:3
        cold:1 wind:1 winds:2 drought:2 meteorolog*:3 sunny:3 tide:2 tides:2 humidity:3
        celsius:2 fahrenheit:2 thunderstorm*:3 hurricane:2 tornado:2 frost:3 fog:1
        degrees:1 el_nino:3 weather_service:3 heavy_rains:3 rainy:2 blizzard:3
        high_winds:3
    """,
}

# Named aspects under a top-level topic, recognised from the text when their own terms are strong
# enough. Only football, unemployment and central bank carry attested qcodes (see SUBTOPICS);
# the others are named without a code rather than with a guessed one.
_ASPECTS: dict[str, tuple[str, str, str, float]] = {
    # name: (top-level short name, detail qcode or "", terms, minimum aspect score)
    "migration of people": (
        "society",
        "",
        """migrants:3 migrant:3 migration:3 immigration:3 immigrants:3 immigrant:3 asylum:3
        refugees:3 refugee:3 deportation:3 deported:3 undocumented:3 border_patrol:3
        crossings:1.5 asylum_seekers:3""",
        6.0,
    ),
    "elections": (
        "politics",
        "",
        """election:3 elections:3 voters:3 ballot:3 ballots:3 by_election:3 polls:2
        turnout:3 electoral:3 candidate:2 candidates:2 campaign:1 midterm:2 midterms:2""",
        6.0,
    ),
    "football": (
        "sport",
        "medtop:20001065",
        """soccer:3 premier_league:3 fifa:3 uefa:3 striker:3 midfielder:3 goalkeeper:3
        world_cup:2 first_division:2 transfer:1 penalty:1""",
        6.0,
    ),
    "unemployment": ("labour", "medtop:20000533", "unemployment:3 unemployed:3 jobless:3", 5.0),
    "central bank": (
        "economy",
        "medtop:20000350",
        "central_bank:3 federal_reserve:3 interest_rates:2 monetary:2 ecb:2 bundesbank:3",
        5.0,
    ),
}


@dataclass(frozen=True, slots=True)
class _Lexicon:
    words: dict[str, float]
    phrases: dict[tuple[str, ...], float]
    prefixes: dict[str, list[tuple[str, float]]]  # first four letters -> (prefix, weight)


def _parse(entries: str) -> _Lexicon:
    words: dict[str, float] = {}
    phrases: dict[tuple[str, ...], float] = {}
    prefixes: dict[str, list[tuple[str, float]]] = {}
    for entry in entries.split():
        term, _, weight_text = entry.rpartition(":")
        weight = float(weight_text)
        if term.endswith("*"):
            stem = term[:-1]
            prefixes.setdefault(stem[:4], []).append((stem, weight))
        elif "_" in term:
            phrases[tuple(term.split("_"))] = weight
        else:
            words[term] = weight
    return _Lexicon(words, phrases, prefixes)


_LEXICONS: dict[str, _Lexicon] = {name: _parse(src) for name, src in _LEXICON_SOURCE.items()}
_ASPECT_LEXICONS: dict[str, _Lexicon] = {name: _parse(spec[2]) for name, spec in _ASPECTS.items()}
_PHRASE_LENGTHS = frozenset(
    len(p) for lex in (*_LEXICONS.values(), *_ASPECT_LEXICONS.values()) for p in lex.phrases
)

# Decision rule (tuned on the dev half only): keep the best topic if it scores MIN_SCORE or more;
# keep another if it also reaches RELATIVE times the best; at most MAX_TOPICS.
HEADLINE_WEIGHT = 3.0
MIN_SCORE = 3.0
RELATIVE = 0.4
MAX_TOPICS = 3
# Text topics added to a source's own subject codes must be stronger: the source has already
# said what the story is about.
SUBJECT_EXTRA_RELATIVE = 0.8
SUBJECT_EXTRA_MIN = 12.0

_TOKEN_RE = re.compile(r"[a-z0-9]+")


def _tokens(text: str) -> list[str]:
    # A possessive "'s" would otherwise leave a stray "s" token between two words of a phrase.
    return _TOKEN_RE.findall(re.sub(r"['\u2019]s\b", "", text.lower()))


def _counts(tokens: list[str]) -> Counter[tuple[str, ...]]:
    grams: Counter[tuple[str, ...]] = Counter((t,) for t in tokens)
    for n in _PHRASE_LENGTHS:
        grams.update(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def _score(lexicon: _Lexicon, grams: Mapping[tuple[str, ...], float]) -> float:
    total = 0.0
    for gram, count in grams.items():
        if len(gram) == 1:
            word = gram[0]
            weight = lexicon.words.get(word)
            if weight is None and len(word) > 4:
                for stem, stem_weight in lexicon.prefixes.get(word[:4], ()):
                    if word.startswith(stem):
                        weight = stem_weight
                        break
        else:
            weight = lexicon.phrases.get(gram)
        if weight:
            # Sublinear: the tenth "police" adds less evidence than the second.
            total += weight * (1.0 + math.log(count))
    return total


def _evidence(headline: str, text: str) -> dict[tuple[str, ...], float]:
    """Term counts of the story; a headline occurrence counts :data:`HEADLINE_WEIGHT` times."""
    grams: dict[tuple[str, ...], float] = dict(_counts(_tokens(text)))
    for gram, count in _counts(_tokens(headline)).items():
        grams[gram] = grams.get(gram, 0.0) + HEADLINE_WEIGHT * count
    return grams


# All topics' terms in one index, so a story's terms are looked up once rather than per topic.
_INDEX: dict[tuple[str, ...], list[tuple[str, float]]] = {}
_PREFIX_INDEX: dict[str, list[tuple[str, str, float]]] = {}
for _name, _lexicon in _LEXICONS.items():
    for _word, _weight in _lexicon.words.items():
        _INDEX.setdefault((_word,), []).append((_name, _weight))
    for _phrase, _weight in _lexicon.phrases.items():
        _INDEX.setdefault(_phrase, []).append((_name, _weight))
    for _key, _stems in _lexicon.prefixes.items():
        for _stem, _weight in _stems:
            _PREFIX_INDEX.setdefault(_key, []).append((_stem, _name, _weight))


def _all_scores(grams: Mapping[tuple[str, ...], float]) -> dict[str, float]:
    scores = dict.fromkeys(_LEXICONS, 0.0)
    for gram, count in grams.items():
        hits = _INDEX.get(gram)
        factor = 1.0 + math.log(count)
        if hits is not None:
            for name, weight in hits:
                scores[name] += weight * factor
        elif len(gram) == 1 and len(gram[0]) > 4:
            word = gram[0]
            seen: set[str] = set()
            for stem, name, weight in _PREFIX_INDEX.get(word[:4], ()):
                if name not in seen and word.startswith(stem):
                    scores[name] += weight * factor
                    seen.add(name)
    return scores


def text_scores(headline: str, text: str) -> dict[str, float]:
    """The lexicon score of every top-level topic (by short name): for inspection and tuning."""
    return _all_scores(_evidence(headline, text))


def _aspect(name: str, grams: Mapping[tuple[str, ...], float]) -> tuple[str, str]:
    for aspect, (parent, qcode, _terms, minimum) in _ASPECTS.items():
        if parent == name and _score(_ASPECT_LEXICONS[aspect], grams) >= minimum:
            return aspect, qcode
    return "", ""


def classify_text(headline: str, text: str) -> list[Topic]:
    """Top-level topics from the words alone: 0-3, best first (none when no topic is clear)."""
    grams = _evidence(headline, text)
    scores = _all_scores(grams)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    best = ranked[0][1]
    chosen: list[Topic] = []
    for name, score in ranked[:MAX_TOPICS]:
        if score < MIN_SCORE or score < RELATIVE * best:
            break
        qcode = NAMES[name]
        detail, detail_qcode = _aspect(name, grams)
        chosen.append(Topic(qcode, TOP_LEVEL[qcode], round(score, 2), "text", detail, detail_qcode))
    return chosen


def classify(headline: str, text: str, subjects: Iterable[str] = ()) -> list[Topic]:
    """A story's top-level IPTC Media Topics, best first, at most three.

    With subject codes, the source's own topics come first and text topics are added only when
    strong (at least :data:`SUBJECT_EXTRA_MIN` and :data:`SUBJECT_EXTRA_RELATIVE` times the best
    text score), since the source has already said what the story is about. Without codes the
    text decides alone.
    """
    from_subjects = topics_from_subjects(subjects)
    from_text = classify_text(headline, text)
    if not from_subjects:
        return from_text
    result = from_subjects[:MAX_TOPICS]
    taken = {topic.qcode for topic in result}
    best = from_text[0].score if from_text else 0.0
    for topic in from_text:
        if len(result) >= MAX_TOPICS:
            break
        if topic.qcode not in taken and topic.score >= max(
            SUBJECT_EXTRA_MIN, SUBJECT_EXTRA_RELATIVE * best
        ):
            result.append(topic)
            taken.add(topic.qcode)
    return result
