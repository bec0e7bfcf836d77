"""Given-name variants: nicknames, short forms and transliterations that UK agencies write.

Each group is a set of names one child may be recorded under. A name may sit in several groups
("jack" is short for John and for Jackson), so a name maps to a *set* of group keys and two names
are variants when their sets intersect. The list is ours (hand-curated for England: English short
forms, Irish, Welsh and Scottish forms, South Asian, Arabic, Polish, Romanian, Somali and other
transliterations); extend it when review finds a miss, and retrain."""

from __future__ import annotations

_GROUPS = """
abigail abby abbie abi gail
adam addy
adrian ade
agnieszka aga
aidan aiden ayden aden
aisha ayesha aysha aishah ayisha
alan allan allen al
albert albie bert
alexander alex alexandre aleksander aleksandr xander sandy alec alek olek
alexandra alex alexa lexi lexie sandra sasha
alexis lexi
alfred alfie alf fred
alice ali allie
alicia alisha alysha
aleksandra ola
ali aly
amelia amy millie mia emilia
amir ameer
amina aminah
andrew andy drew
andrzej andrew
angela angie
anna ann anne annie hannah ania
anthony antony tony ant
archibald archie
arthur art artie
barbara barbie babs
benjamin ben benji benny
bernard bernie
bethany beth
bilal belal
bridget bridie
caitlin caitlyn kaitlyn katelyn
callum calum
cameron cam
caroline carol carrie
catherine katherine kathryn catharine kate katie kath cath cathy kathy kat kitty
charles charlie chas chaz chuck
charlotte lottie charlie lotte
christina tina chrissie kristina
christopher chris kit topher krzysztof
ciara kiara keira kira
cian kian
conor connor
cyrus cy
daniel dan danny dani
danielle dani
david dave davey dai dawid
deborah debbie debra deb
declan dec
dominic dom
donald don donny
dorothy dot dottie
douglas doug
edward ed eddie ted teddy ned
eleanor ellie nell nellie elle
elizabeth liz lizzie lizzy beth betty bet eliza libby lisa elisabeth elspeth
ellie elle ella
emily emmy em milly millie emilie
emma em emmy
ethan eth
eugene gene
evelyn evie eve
fatima fatimah fatma
florence flo florrie
francis frank frankie
frances fran frankie
frederick freddie freddy fred
gabriel gabe
gabriella gabby gabrielle ella
george georgie
georgia georgie george
gerald gerry jerry
grzegorz greg
gregory greg
gurpreet preet
hamza hamzah
harold harry hal
harrison harry
harriet hattie harry
henry harry hal hank
hussain hussein husain husayn
ibrahim ebrahim ibraheem
imogen immy
isaac isaak zac
isabel isabella isabelle izzy bella issy isobel
ismail ismael esmail
jacob jake jakob kuba jakub
james jamie jim jimmy jimbo jem
jane janey jan
janet jan
jasmine jazmin yasmin jasmin jazz
jason jay
jennifer jenny jen jenna
jessica jess jessie
joanne jo joanna
john johnny jon jack
jonathan jon jonny nathan
jordan jordon
joseph joe joey jo yusuf yousef yousuf youssef
joshua josh
julia jules julie
kacper kasper caspar
katarzyna kasia kate
kayden caden kaden kaiden
kenneth ken kenny
khadija khadijah
kimberley kimberly kim
kyle kai
laura lauren laurie
lawrence laurence larry laurie
leonard leo len lenny
leonardo leo
lewis louis lou louie
louise lou louisa
lucas luke luca
lucy lucie luce
madison maddie maddy
magdalena magda
malgorzata gosia margaret
margaret maggie meg peggy madge greta
maria marie mary mariya
mark marc marcus
martin marty
mateusz matthew
matthew matt matty mattie
megan meg meghan
michael mike mikey mick micky michal
michelle shell
mohammed muhammad mohammad mohamed muhammed mohamad mohd mo moe mohamud mahamed
molly mollie
musa moses
nathan nate nat
nathaniel nat nate nathan
natalie nat natasha tasha
nicholas nick nicky nico mikolaj
nicola nicky nikki
niamh neve neave
noor nur nour
oliver ollie olly oli
olivia liv livvy livia
oscar ozzy
patrick paddy pat
patricia pat patty trish tricia
penelope penny
peter pete piotr
philip phillip phil
rachel rach
rebecca becky becca bex
reginald reggie reg
richard rich rick ricky richie dick
robert rob robbie bob bobby bert
ronald ron ronnie
rose rosie
samantha sam sammy
samuel sam sammy
sarah sara sally sadie
sean shaun shawn
siobhan shevaun shivaun chevonne
sophia sophie sofia zofia zosia
stephen steven steve stevie stefan
stephanie steph stef
susan sue susie suzanne
szymon simon
terence terry
theodore theo ted teddy
thomas tom tommy tomasz
timothy tim timmy
tobias toby
umar omar
usman osman uthman
valentina val
victoria vicky vic tori
vincent vince vinnie
william will liam bill billy willie willy wills
wojciech wojtek
yasmin yasmine jasmine
zachary zach zak zack zac zachariah zakariya zakaria
zainab zaynab
zayn zain zane
ava eva
aoife eva eve
harry haz
harrison haz
bradley brad
zuzanna zuza zuzia
kacper casper kasper
matilda tilly tilda mattie
finley finn finlay
maximilian max maxi
maxwell max
emmanuel manny
agnieszka agnes aga
kai kye
tyrone ty
wiktoria victoria vicky
ioana joanna
maryam miriam mariam
jasdeep jas
jasmine jas jaz
gabriela gabi gabby gabriella
navpreet nav
bartosz bartek
babatunde tunde
ionut ion
vikram vik
antoni anthony antony
tobiloba tobi
mihai michael
louie lewie
melissa mel
olufemi femi
ifeoluwa ife
oluwaseun seun
nancy nan
alicja alice ala
adaeze ada
temitope temi
tomasz tomek
roisin rosheen
ayodele ayo
leonardo leon leo
elijah eli
ciaran kieran
katarzyna katherine kasia
nicolae nicu
"""

VARIANT_KEYS: dict[str, frozenset[str]] = {}


def _build() -> None:
    index: dict[str, set[str]] = {}
    for line in _GROUPS.strip().splitlines():
        names = line.split()
        if not names:
            continue
        key = names[0]
        for name in names:
            index.setdefault(name, set()).add(key)
    VARIANT_KEYS.update({name: frozenset(keys) for name, keys in index.items()})


_build()


def variant_keys(name: str) -> frozenset[str]:
    """The variant groups a lower-case ASCII given name belongs to ({name} when none)."""
    return VARIANT_KEYS.get(name, frozenset((name,)))


def are_variants(a: str, b: str) -> bool:
    return bool(variant_keys(a) & variant_keys(b))
