"""Names: Zipf-weighted first names and surnames by cultural group, a synthetic surname tail, and
the nickname / transliteration variants that agencies really write (Liam for William, Mohammed
for Muhammad, Zosia for Zofia).

Everything here is synthetic: common names drawn at random, never a real person's details."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass


def words(text: str) -> list[str]:
    return text.split()


# -- First names, most popular first within each list (the Zipf rank) -------------------------

FIRST_NAMES: dict[tuple[str, str], list[str]] = {
    ("british", "male"): words(
        """Oliver George Noah Arthur Harry Leo Jack Charlie Oscar Jacob Henry Thomas Freddie
        Alfie Theo William Theodore Archie Joshua Alexander James Isaac Edward Lucas Tommy Finley
        Max Logan Ethan Mason Harrison Joseph Samuel Daniel Benjamin Reggie Dylan Riley Jake Kai
        Tyler Liam Callum Connor Kyle Lewis Ryan Jayden Bradley Kian Matthew Luke Nathan Adam
        Jordan Jamie Christopher Michael Robert Richard Anthony Nicholas Frederick Louie Ronnie
        Albie Teddy Hugo Elliot Toby Zachary Rory Jenson Brandon Declan Charles"""
    ),
    ("british", "female"): words(
        """Olivia Amelia Isla Ava Ivy Freya Lily Florence Mia Willow Rosie Sophia Isabella Grace
        Daisy Sienna Poppy Elsie Emily Ella Evelyn Phoebe Sofia Evie Charlotte Harper Millie
        Matilda Jessica Ruby Chloe Megan Lauren Holly Katie Bethany Amy Hannah Leah Caitlin
        Abigail Eleanor Katherine Elizabeth Rebecca Victoria Jasmine Scarlett Alice Maisie Lacey
        Courtney Kayla Paige Demi Imogen Lucy Erin Darcy Harriet Esme Violet Layla Summer Molly
        Niamh Amber Georgia Tilly Lola Eliza Nancy Mollie"""
    ),
    ("irish", "male"): words(
        "Sean Conor Patrick Cian Oisin Niall Ciaran Declan Eoin Michael John Martin Thomas"
    ),
    ("irish", "female"): words(
        "Aoife Niamh Siobhan Ciara Roisin Saoirse Orla Caoimhe Mary Bridget Kathleen Margaret"
    ),
    ("south_asian", "male"): words(
        """Muhammad Mohammed Ibrahim Yusuf Ali Hamza Zayn Ayaan Musa Adam Ismail Omar Umar Hassan
        Bilal Abdullah Zakariya Haroon Imran Usman Rayyan Arham Zain Idris Ahmed Rehan Faisal"""
    ),
    ("south_asian", "female"): words(
        """Aisha Fatima Maryam Zara Hafsa Khadija Zainab Amina Inaya Safa Alina Hania Noor Iqra
        Sana Mahnoor Ayesha Anaya Eman Hira Sumaya Rukhsana Nadia Samira"""
    ),
    ("indian", "male"): words(
        """Arjun Aarav Rohan Jasdeep Harjit Gurpreet Vikram Dev Rahul Krish Ishaan Aryan Jaskaran
        Manpreet Sahil Ravi Amar Sunil"""
    ),
    ("indian", "female"): words(
        """Priya Simran Ananya Diya Kiran Navpreet Harleen Asha Meera Riya Jasleen Amrit Divya
        Pooja Anjali Sita"""
    ),
    ("polish", "male"): words(
        """Jakub Szymon Filip Kacper Michal Mateusz Bartosz Wojciech Aleksander Piotr Tomasz
        Dawid Oskar Antoni Andrei Mihai Ionut Lukas Marius Igor Nikola"""
    ),
    ("polish", "female"): words(
        """Zofia Zuzanna Julia Maja Lena Hanna Alicja Wiktoria Natalia Oliwia Katarzyna
        Malgorzata Agnieszka Amelia Ioana Elena Andreea Gabriela Karolina"""
    ),
    ("african", "male"): words(
        """Daniel David Samuel Emmanuel Joshua Tobi Oluwaseun Chidi Kwame Kofi Tunde Femi Abdi
        Mohamed Ahmed Ayo Chinedu Ibrahim Isaac Elijah Jayden Michael"""
    ),
    ("african", "female"): words(
        """Grace Blessing Precious Favour Esther Deborah Chioma Adaeze Amara Temi Ife Hodan Fartun
        Ayan Faith Abena Ama Nia Zainab Peace Comfort"""
    ),
    ("caribbean", "male"): words(
        """Tyrone Jermaine Marcus Kai Reuben Malachi Jayden Tyreece Darnell Andre Leon Nathaniel
        Isaiah Josiah Joshua Elijah"""
    ),
    ("caribbean", "female"): words(
        """Shanice Tia Aaliyah Keisha Jada Amani Imani Chantelle Kiara Jade Nia Naomi Leah
        Destiny"""
    ),
    ("chinese", "male"): words("Wei Jun Hao Ming Yi Chen Zhi Jian Ethan Kevin Ryan"),
    ("chinese", "female"): words("Mei Xin Yan Li Lin Hui Jing Ying Chloe Grace Emily"),
    ("arabic", "male"): words(
        "Ahmed Omar Youssef Karim Ali Hussein Khalid Samir Tariq Mustafa Amir Mohammed Adam"
    ),
    ("arabic", "female"): words(
        "Fatima Layla Mariam Nour Yasmin Hana Sara Rania Salma Amira Huda Maryam"
    ),
    ("roma", "male"): words("Florin Marian Ionut Adrian Gheorghe Vasile Costel Daniel Nicolae"),
    ("roma", "female"): words("Maria Elena Florentina Ana Mihaela Ionela Roxana Daniela"),
}

# Parents' generation (born 1970s-2000s): only the British list differs much from the children's.
ADULT_FIRST_NAMES: dict[tuple[str, str], list[str]] = {
    ("british", "male"): words(
        """David Paul Mark Andrew Richard Daniel James Christopher Michael Stephen Lee Craig
        Darren Jason Wayne Gary Scott Dean Carl Neil Matthew Adam Ryan Ashley Jamie Kevin Shaun
        Anthony Simon Robert Martin Liam Kieran Jordan Aaron"""
    ),
    ("british", "female"): words(
        """Sarah Emma Claire Nicola Lisa Rachel Laura Kelly Gemma Michelle Joanne Stacey Amy
        Hayley Kirsty Charlotte Donna Leanne Natalie Samantha Jade Danielle Katie Victoria
        Rebecca Louise Kerry Zoe Jennifer Melissa Chelsea Shannon Sophie"""
    ),
}

# Every spelling in a group is a variant of the others; the first is what a parent would write.
VARIANT_GROUPS = [
    "William Liam Will Billy",
    "James Jamie Jim Jimmy",
    "Thomas Tom Tommy",
    "Tommy Tom Thomas",
    "Joseph Joe Joey",
    "Daniel Dan Danny",
    "Samuel Sam Sammy",
    "Benjamin Ben Benji",
    "Alexander Alex Xander",
    "Oliver Ollie Olly",
    "Henry Harry Hal",
    "Harry Harrison Haz",
    "Charlie Charles Chas",
    "Charles Charlie",
    "Frederick Freddie Fred",
    "Freddie Freddy Fred",
    "Alfie Alfred Alf",
    "Theo Theodore",
    "Theodore Theo Ted",
    "Archie Archibald Arch",
    "Joshua Josh",
    "Jacob Jake Jakob",
    "Jake Jacob",
    "Edward Ed Eddie Ted",
    "Teddy Edward Ted",
    "Isaac Isaak Zac",
    "Matthew Matt Matty",
    "Christopher Chris Kit",
    "Michael Mike Mikey Mick",
    "Robert Rob Bobby Robbie",
    "Richard Rick Richie",
    "Anthony Tony Ant",
    "Nicholas Nick Nicky",
    "Nathan Nate",
    "Callum Calum",
    "Connor Conor",
    "Conor Connor",
    "Lewis Louis",
    "Louie Louis Lewie",
    "Ryan Rian",
    "Jayden Jaden Jaydon",
    "Tyler Tylor",
    "Riley Rylee",
    "Dylan Dillon",
    "Kai Kye",
    "Lucas Lukas Luca",
    "Finley Finlay Finn",
    "Max Maxwell Maximilian",
    "Reggie Reginald Reg",
    "Ronnie Ronald Ron",
    "Albie Albert Alby",
    "Leo Leon Leonardo",
    "Oscar Oskar Ozzy",
    "George Georgie",
    "Arthur Art Artie",
    "Kian Keane Cian",
    "Bradley Brad",
    "Zachary Zach Zak",
    "Elliot Eliot Elliott",
    "Toby Tobias",
    "Olivia Liv Livvy",
    "Amelia Millie Amy",
    "Millie Amelia Milly",
    "Ava Eva",
    "Freya Freja",
    "Lily Lilly Lillie",
    "Florence Flo Florrie",
    "Mia Miah",
    "Rosie Rose Rosa",
    "Sophia Sofia Sophie",
    "Sofia Sophia Sophie",
    "Isabella Bella Izzy Isabelle",
    "Grace Gracie",
    "Elsie Elsa",
    "Emily Emilie Em",
    "Ella Ellie",
    "Evelyn Evie Eve",
    "Evie Eve Evelyn",
    "Charlotte Lottie Charlie",
    "Matilda Tilly Tilda",
    "Tilly Matilda Tillie",
    "Jessica Jess Jessie",
    "Chloe Cloe",
    "Megan Meg",
    "Lauren Loren",
    "Holly Holli",
    "Katie Kate Katherine",
    "Katherine Kate Katie Catherine Kathryn",
    "Bethany Beth",
    "Amy Aimee Amie",
    "Hannah Hana",
    "Leah Lea",
    "Caitlin Kaitlyn Katelyn",
    "Abigail Abbie Abi",
    "Eleanor Ellie Nell",
    "Elizabeth Liz Beth Lizzie Eliza",
    "Eliza Elizabeth",
    "Rebecca Becky Becca",
    "Victoria Vicky Tori",
    "Jasmine Jas Yasmin",
    "Scarlett Scarlet",
    "Maisie Maisy",
    "Lacey Lacie",
    "Courtney Kourtney",
    "Kayla Kaila",
    "Imogen Immy",
    "Lucy Lucie",
    "Darcy Darcey",
    "Harriet Hattie",
    "Esme Esmee",
    "Layla Leila Laila",
    "Molly Mollie",
    "Mollie Molly",
    "Georgia Georgie",
    "Nancy Nan",
    "Sean Shaun Shawn",
    "Patrick Pat Paddy",
    "Cian Kian",
    "Oisin Osheen",
    "Niall Neil",
    "Ciaran Kieran",
    "Declan Dec",
    "Eoin Owen",
    "Aoife Eva",
    "Niamh Neve Neave",
    "Siobhan Shivaun",
    "Ciara Kiara",
    "Roisin Rosheen",
    "Saoirse Sersha",
    "Orla Orlagh",
    "Caoimhe Keeva",
    "Muhammad Mohammed Mohammad Mohamed Muhammed Mo",
    "Mohammed Muhammad Mohammad Mohamed Mo",
    "Mohamed Mohammed Muhammad",
    "Ibrahim Ebrahim Ibraheem",
    "Yusuf Yousef Yusef Yousuf",
    "Youssef Yusuf Yousef",
    "Hamza Hamzah",
    "Zayn Zain",
    "Zain Zayn",
    "Ayaan Ayan",
    "Musa Moosa",
    "Ismail Ismael",
    "Omar Umar",
    "Umar Omar",
    "Hassan Hasan",
    "Abdullah Abdulla",
    "Zakariya Zakaria Zachariah",
    "Haroon Harun",
    "Usman Osman",
    "Rayyan Rayan",
    "Idris Idrees",
    "Ahmed Ahmad Ahmet",
    "Faisal Faysal",
    "Rehan Rehaan",
    "Aisha Ayesha Aysha Aishah",
    "Ayesha Aisha",
    "Fatima Fatimah Fatma",
    "Maryam Mariam Miriam",
    "Mariam Maryam",
    "Zara Zarah",
    "Hafsa Hafsah",
    "Khadija Khadijah Khadeejah",
    "Zainab Zaynab",
    "Amina Aminah",
    "Inaya Inayah",
    "Hania Haniya",
    "Noor Nur",
    "Nour Noor Nur",
    "Iqra Iqraa",
    "Sana Sanaa",
    "Eman Iman",
    "Sumaya Sumaiya",
    "Aarav Arav",
    "Jasdeep Jas",
    "Harjit Harjeet",
    "Gurpreet Gurprit",
    "Vikram Vik",
    "Krish Krishna",
    "Ishaan Ishan",
    "Aryan Arian",
    "Manpreet Manprit",
    "Priya Preeya",
    "Ananya Anaya",
    "Diya Dia",
    "Navpreet Nav",
    "Meera Mira",
    "Riya Ria",
    "Pooja Puja",
    "Jakub Kuba Jacob",
    "Szymon Simon",
    "Filip Philip Phillip",
    "Kacper Casper",
    "Michal Michael",
    "Mateusz Matthew Mateus",
    "Bartosz Bartek",
    "Wojciech Wojtek",
    "Aleksander Olek Alex Alexander",
    "Piotr Peter",
    "Tomasz Tomek Thomas",
    "Dawid David",
    "Antoni Antek Anthony",
    "Andrei Andrew",
    "Mihai Michael",
    "Ionut Ion",
    "Igor Ihor",
    "Zofia Zosia Sofia Sophia",
    "Zuzanna Zuza Susanna",
    "Julia Julka",
    "Maja Maya",
    "Hanna Hannah",
    "Alicja Alicia Alice",
    "Wiktoria Victoria",
    "Natalia Natalie",
    "Oliwia Olivia",
    "Katarzyna Kasia Katherine",
    "Malgorzata Gosia Margaret",
    "Agnieszka Agnes",
    "Ioana Joanna",
    "Andreea Andrea",
    "Gabriela Gabi",
    "Karolina Caroline",
    "David Dave",
    "Emmanuel Manny",
    "Tobi Toby Tobiloba",
    "Oluwaseun Seun",
    "Tunde Babatunde",
    "Femi Olufemi",
    "Abdi Abdirahman",
    "Ayo Ayodele",
    "Elijah Eli",
    "Deborah Debbie",
    "Adaeze Ada",
    "Temi Temitope",
    "Ife Ifeoluwa",
    "Tyrone Ty",
    "Marcus Markus",
    "Reuben Ruben",
    "Tyreece Tyrese",
    "Nathaniel Nathan Nate",
    "Isaiah Isiah",
    "Shanice Shaniece",
    "Tia Tiah",
    "Aaliyah Aliyah Aaliya",
    "Keisha Keshia",
    "Chantelle Chantel",
    "Kiara Ciara",
    "Wei Way",
    "Karim Kareem",
    "Hussein Husain Hussain",
    "Khalid Khaled",
    "Samir Sameer",
    "Tariq Tarek",
    "Mustafa Mustapha Moustafa",
    "Amir Ameer",
    "Yasmin Yasmine Jasmine",
    "Hana Hannah",
    "Sara Sarah",
    "Rania Raniya",
    "Salma Selma",
    "Amira Ameera",
    "Huda Hoda",
    "Florin Florian",
    "Gheorghe George",
    "Nicolae Nicu",
    "Maria Mariah",
    "Mihaela Michaela",
    "Andrew Andy Drew",
    "Stephen Steve Steven",
    "Lee Leigh",
    "Gary Gaz",
    "Carl Karl",
    "Ashley Ash",
    "Kevin Kev",
    "Shaun Sean",
    "Simon Si",
    "Sarah Sara",
    "Emma Em",
    "Claire Clare",
    "Nicola Nicky Nikki",
    "Rachel Rachael",
    "Kelly Kelli",
    "Gemma Jemma",
    "Michelle Shell",
    "Joanne Jo Joanna",
    "Stacey Stacy",
    "Hayley Haley",
    "Kirsty Kirstie",
    "Leanne Lianne",
    "Natalie Nat",
    "Samantha Sam",
    "Danielle Dani",
    "Louise Lou",
    "Kerry Kerri",
    "Jennifer Jen Jenny",
    "Melissa Mel",
    "Chelsea Chelsey",
    "Shannon Shanon",
    "Sophie Sophia",
]
VARIANTS: dict[str, tuple[str, ...]] = {}
for _group in VARIANT_GROUPS:
    _names = _group.split()
    VARIANTS.setdefault(_names[0], tuple(_names[1:]))

# -- Surnames ---------------------------------------------------------------------------------

SURNAMES: dict[str, list[str]] = {
    "british": words(
        """Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson
        Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Jackson Wood
        Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen
        James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly
        Cook Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Marshall
        Simpson Ellis Adams Wilkinson Anderson Foster Chapman Powell Webb Rogers Gray Mason Lloyd
        Hunt Holmes Palmer Barker Knight Butler Stevens Russell Dixon Mills Matthews Pearson Fox
        Atkinson Fletcher O'Brien McDonald Hudson Lambert Gibson Hart Hayes Spencer Stone Dawson
        Burton Ball Lowe Fisher Riley Barnes Holland Reynolds Francis Booth Payne Jenkins Saunders
        Wells Bird Nash Cartwright Whitehouse Bradley Hodgson Pritchard McKenzie MacLeod"""
    ),
    "irish": words(
        """Murphy Kelly O'Sullivan Walsh O'Connor McCarthy Byrne Ryan O'Neill Doyle Quinn
        Gallagher Donnelly McLaughlin Keane Ward Connors McDonagh Joyce Maughan"""
    ),
    "south_asian": words(
        """Khan Hussain Ahmed Ali Akhtar Iqbal Mahmood Rahman Shah Malik Butt Mirza Chaudhry
        Qureshi Aslam Javed Rashid Uddin Miah Islam Hossain Sheikh Anwar Raza Begum Bibi"""
    ),
    "indian": words(
        """Patel Singh Kaur Sharma Kumar Gill Sandhu Sidhu Dhillon Mistry Shah Parmar Chauhan
        Bains Johal Sahota Gupta Joshi Mehta Lal"""
    ),
    "polish": words(
        """Nowak Kowalski Wisniewski Wojcik Kowalczyk Kaminski Lewandowski Zielinski Szymanski
        Wozniak Dabrowski Kozlowski Jankowski Mazur Krawczyk Popescu Ionescu Popa Stan Dumitru
        Kazlauskas Petrov Novak"""
    ),
    "african": words(
        """Okafor Adeyemi Mensah Osei Boateng Adebayo Okonkwo Eze Nwosu Owusu Asante Ogunleye Abdi
        Mohamed Ahmed Hassan Warsame Olatunji Bello Danso Appiah"""
    ),
    "caribbean": words(
        """Campbell Brown Williams Thomas Francis Grant Clarke Reid Henry Lewis Morgan Gordon
        Edwards Robinson Johnson Bailey Samuels Douglas"""
    ),
    "chinese": words("Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Chan Wong Lam Cheung Ng Ho"),
    "arabic": words(
        """Hassan Ibrahim Abdullah Mahmoud Saleh Haddad Mansour Yousef Nasser Karimi Ahmadi
        Hosseini Rahimi Aziz"""
    ),
    "roma": words("Stoica Lacatus Radu Mihai Dinu Rostas Constantin Balan"),
}

# Syllables for the long tail of rarer surnames, per group (a quarter of families).
_TAIL: dict[str, tuple[list[str], list[str], list[str]]] = {
    "british": (
        words(
            """Ash Black Brad Brom Cal Crom Dal Dun Elm Fair Farn Gar Glen Hal Hart Hol Kel Kim
            Lang Lock Mar Mel Nor Old Pem Quar Rad Red Ross Sal Shel Stan Thorn Tre Wal War Wes
            Whit Win Yar Bram Chad Cod Haw Lind Mob Pen Rook Sned Tew Up Wick"""
        ),
        ["", "", "", "e", "er", "en", "ing", "a", "ley", "s"],
        words(
            """by combe cott den don ford ham hurst ley low more ridge shaw stock ston ton well
            wick worth field gate croft bourne thwaite hope sey lock bury"""
        ),
    ),
    "polish": (
        words("Brz Chmiel Dud Gaw Grab Jas Kacz Kr Lis Mal Mich Ol Paw Rud Sob Strz Wal Zaj"),
        ["", "e", "o", "ow", "ew", "a", "ar", "usz"],
        words("ski cki czyk ak ek ewicz owicz iak uk ny"),
    ),
    "south_asian": (
        words("Ab Ak Ar Ch Far Gh Haf Jam Kar Mah Naz Q Rab Sad Shab Tah Wah Zah Bash Lat"),
        ["a", "ee", "i", "oo", "u", "ai"],
        words("ad ar id im ir oor qi ullah uddin an"),
    ),
    "african": (
        words("Ade Aki Ayo Bab Chuk Ife Kwa Nna Obi Olu Oye Tem Uche Yaw Kof Ama Eni Ode"),
        ["", "ba", "de", "lo", "mi", "nu", "wa", "yi"],
        words("bayo dele emi femi kanmi lade mola nde wale yemi ogu eze"),
    ),
}

GROUP_TAIL_STYLE = {
    "british": "british",
    "irish": "british",
    "caribbean": "british",
    "polish": "polish",
    "roma": "polish",
    "south_asian": "south_asian",
    "indian": "south_asian",
    "arabic": "south_asian",
    "african": "african",
    "chinese": "british",
}


def tail_surname(rng: random.Random, group: str) -> str:
    first, middle, last = _TAIL[GROUP_TAIL_STYLE.get(group, "british")]
    name = rng.choice(first) + rng.choice(middle) + rng.choice(last)
    return name[0].upper() + name[1:].lower()


# -- Ethnicity (CIN census codes) -> name groups --------------------------------------------


@dataclass(frozen=True)
class EthnicGroup:
    code: str
    weight: float
    given: tuple[str, ...]  # name groups for first names (first is the most likely)
    family: str  # name group for the surname


ETHNIC_GROUPS = (
    EthnicGroup("WBRI", 66.0, ("british",), "british"),
    EthnicGroup("WIRI", 0.5, ("irish", "british"), "irish"),
    EthnicGroup("WIRT", 0.4, ("irish", "british"), "irish"),
    EthnicGroup("WROM", 0.5, ("roma",), "roma"),
    EthnicGroup("WOTH", 6.5, ("polish", "british"), "polish"),
    EthnicGroup("MWBC", 2.0, ("british", "caribbean"), "british"),
    EthnicGroup("MWBA", 1.0, ("british", "african"), "british"),
    EthnicGroup("MWAS", 1.2, ("british", "south_asian"), "british"),
    EthnicGroup("MOTH", 1.5, ("british", "arabic"), "british"),
    EthnicGroup("AIND", 3.0, ("indian",), "indian"),
    EthnicGroup("APKN", 4.0, ("south_asian",), "south_asian"),
    EthnicGroup("ABAN", 1.5, ("south_asian",), "south_asian"),
    EthnicGroup("AOTH", 1.5, ("south_asian", "indian"), "south_asian"),
    EthnicGroup("BCRB", 0.8, ("caribbean", "british"), "caribbean"),
    EthnicGroup("BAFR", 3.5, ("african",), "african"),
    EthnicGroup("BOTH", 0.6, ("african", "caribbean"), "african"),
    EthnicGroup("CHNE", 0.6, ("chinese", "british"), "chinese"),
    EthnicGroup("OOTH", 1.5, ("arabic",), "arabic"),
    EthnicGroup("REFU", 0.8, ("british",), "british"),
    EthnicGroup("NOBT", 1.0, ("british",), "british"),
)
ETHNIC_CUM = list(itertools.accumulate(g.weight for g in ETHNIC_GROUPS))


def zipf_cum(n: int, s: float = 1.0) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 1) ** s for rank in range(n)))


_CUM_CACHE: dict[int, list[float]] = {}


def zipf_choice(rng: random.Random, names: list[str]) -> str:
    cum = _CUM_CACHE.get(len(names))
    if cum is None:
        cum = _CUM_CACHE[len(names)] = zipf_cum(len(names), 0.9)
    return rng.choices(names, cum_weights=cum)[0]


def pick_ethnic_group(rng: random.Random) -> EthnicGroup:
    return rng.choices(ETHNIC_GROUPS, cum_weights=ETHNIC_CUM)[0]


def first_name(rng: random.Random, group: EthnicGroup, sex: str, *, adult: bool = False) -> str:
    name_group = group.given[0] if rng.random() < 0.8 else rng.choice(group.given)
    if adult and (name_group, sex) in ADULT_FIRST_NAMES:
        return zipf_choice(rng, ADULT_FIRST_NAMES[(name_group, sex)])
    return zipf_choice(rng, FIRST_NAMES[(name_group, sex)])


def surname(rng: random.Random, group: EthnicGroup, *, tail: bool) -> str:
    if tail:
        return tail_surname(rng, group.family)
    return zipf_choice(rng, SURNAMES[group.family])


# -- Street names and nicknames used in the trajectories ------------------------------------

STREET_NAMES = words(
    """Keyz Tiny Little-J Dotty Skinz Ghost Ace Blaze Smokey Rico Flash Junior Bugsy Nino Chubz
    Spider Nitro Dee Shadow Kidz"""
)
ADULT_STREET_NAMES = words(
    """Boss K Dollar Uncle Bigz Snow Marley Deano Rambo Mack Spinz Chef Tank Razor Kane Dex"""
)
