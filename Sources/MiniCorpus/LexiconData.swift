/// Noun, adjective and adverb tables.
///
/// Noun lines: `english englishPlural gender german germanPlural CLASSES [loc=en:de] [w]`; gender m/f/n;
/// classes are the letters of `NounClass.parse`; `loc` gives the locative prepositions of a place;
/// `w` marks a weak (n-declension) masculine noun. Adjective lines: `english german[/stem] CLASSES`.
enum LexiconData {
    static let nounTable = """
        man men m Mann Männer P
        woman women f Frau Frauen P
        boy boys m Junge Jungen P w
        girl girls n Mädchen Mädchen P
        child children n Kind Kinder P
        baby babies n Baby Babys P
        friend friends m Freund Freunde P
        neighbor neighbors m Nachbar Nachbarn P w
        teacher teachers m Lehrer Lehrer P
        student students m Student Studenten P w
        doctor doctors f Ärztin Ärztinnen P
        nurse nurses m Pfleger Pfleger P
        farmer farmers m Bauer Bauern P w
        baker bakers m Bäcker Bäcker P
        cook cooks m Koch Köche P
        driver drivers m Fahrer Fahrer P
        pilot pilots m Pilot Piloten P w
        policeman policemen m Polizist Polizisten P w
        singer singers f Sängerin Sängerinnen P
        artist artists f Künstlerin Künstlerinnen P
        writer writers m Schriftsteller Schriftsteller P
        journalist journalists f Journalistin Journalistinnen P
        scientist scientists f Forscherin Forscherinnen P
        engineer engineers m Ingenieur Ingenieure P
        lawyer lawyers f Anwältin Anwältinnen P
        judge judges m Richter Richter P
        king kings m König Könige P
        queen queens f Königin Königinnen P
        prince princes m Prinz Prinzen P w
        princess princesses f Prinzessin Prinzessinnen P
        mother mothers f Mutter Mütter P
        father fathers m Vater Väter P
        brother brothers m Bruder Brüder P
        sister sisters f Schwester Schwestern P
        son sons m Sohn Söhne P
        daughter daughters f Tochter Töchter P
        uncle uncles m Onkel Onkel P
        aunt aunts f Tante Tanten P
        grandmother grandmothers f Großmutter Großmütter P
        grandfather grandfathers m Großvater Großväter P
        guest guests m Gast Gäste P
        tourist tourists m Tourist Touristen P w
        customer customers m Kunde Kunden P w
        waiter waiters m Kellner Kellner P
        soldier soldiers m Soldat Soldaten P w
        president presidents f Präsidentin Präsidentinnen P
        musician musicians m Musiker Musiker P
        photographer photographers m Fotograf Fotografen P w
        architect architects f Architektin Architektinnen P
        gardener gardeners m Gärtner Gärtner P
        fisherman fishermen m Fischer Fischer P
        hunter hunters m Jäger Jäger P
        thief thieves m Dieb Diebe P
        colleague colleagues f Kollegin Kolleginnen P
        boss bosses f Chefin Chefinnen P
        player players m Spieler Spieler P
        dancer dancers f Tänzerin Tänzerinnen P
        painter painters m Maler Maler P
        professor professors f Professorin Professorinnen P
        hero heroes m Held Helden P w
        visitor visitors m Besucher Besucher P
        passenger passengers m Fahrgast Fahrgäste P
        mayor mayors f Bürgermeisterin Bürgermeisterinnen P
        dog dogs m Hund Hunde A
        cat cats f Katze Katzen A
        horse horses n Pferd Pferde A
        cow cows f Kuh Kühe A
        bird birds m Vogel Vögel A
        fish fish m Fisch Fische AF
        mouse mice f Maus Mäuse A
        rabbit rabbits n Kaninchen Kaninchen A
        bear bears m Bär Bären A w
        lion lions m Löwe Löwen A w
        monkey monkeys m Affe Affen A w
        elephant elephants m Elefant Elefanten A w
        fox foxes m Fuchs Füchse A
        wolf wolves m Wolf Wölfe A
        sheep sheep n Schaf Schafe A
        pig pigs n Schwein Schweine A
        duck ducks f Ente Enten A
        goat goats f Ziege Ziegen A
        frog frogs m Frosch Frösche A
        snake snakes f Schlange Schlangen A
        owl owls f Eule Eulen A
        tiger tigers m Tiger Tiger A
        donkey donkeys m Esel Esel A
        chicken chickens n Huhn Hühner A
        bee bees f Biene Bienen A
        butterfly butterflies m Schmetterling Schmetterlinge A
        squirrel squirrels n Eichhörnchen Eichhörnchen A
        deer deer n Reh Rehe A
        apple apples m Apfel Äpfel F
        cake cakes m Kuchen Kuchen F
        sandwich sandwiches n Sandwich Sandwiches F
        banana bananas f Banane Bananen F
        orange oranges f Orange Orangen F
        pear pears f Birne Birnen F
        lemon lemons f Zitrone Zitronen F
        egg eggs n Ei Eier F
        tomato tomatoes f Tomate Tomaten F
        potato potatoes f Kartoffel Kartoffeln F
        carrot carrots f Karotte Karotten F
        onion onions f Zwiebel Zwiebeln F
        cookie cookies m Keks Kekse F
        pizza pizzas f Pizza Pizzas F
        soup soups f Suppe Suppen F
        sausage sausages f Wurst Würste F
        cheese cheeses m Käse Käse F
        strawberry strawberries f Erdbeere Erdbeeren F
        cherry cherries f Kirsche Kirschen F
        peach peaches m Pfirsich Pfirsiche F
        cucumber cucumbers f Gurke Gurken F
        meal meals f Mahlzeit Mahlzeiten F
        salad salads m Salat Salate F
        pancake pancakes m Pfannkuchen Pfannkuchen F
        ball balls m Ball Bälle O
        key keys m Schlüssel Schlüssel O
        bag bags f Tasche Taschen OC
        box boxes f Kiste Kisten OC
        cup cups f Tasse Tassen O
        glass glasses n Glas Gläser O
        bottle bottles f Flasche Flaschen OC
        plate plates m Teller Teller O
        knife knives n Messer Messer O
        spoon spoons m Löffel Löffel O
        fork forks f Gabel Gabeln O
        chair chairs m Stuhl Stühle OR
        table tables m Tisch Tische OR
        lamp lamps f Lampe Lampen O
        clock clocks f Uhr Uhren O
        phone phones n Telefon Telefone O
        camera cameras f Kamera Kameras O
        computer computers m Computer Computer O
        umbrella umbrellas m Regenschirm Regenschirme O
        hat hats m Hut Hüte O
        coat coats m Mantel Mäntel O
        shoe shoes m Schuh Schuhe O
        jacket jackets f Jacke Jacken O
        shirt shirts n Hemd Hemden O
        dress dresses n Kleid Kleider O
        ring rings m Ring Ringe O
        picture pictures n Bild Bilder OM
        map maps f Landkarte Landkarten O
        ticket tickets f Fahrkarte Fahrkarten O
        pen pens m Stift Stifte O
        pencil pencils m Bleistift Bleistifte O
        guitar guitars f Gitarre Gitarren O
        piano pianos n Klavier Klaviere O
        violin violins f Geige Geigen O
        drum drums f Trommel Trommeln O
        toy toys n Spielzeug Spielzeuge O
        doll dolls f Puppe Puppen O
        gift gifts n Geschenk Geschenke OC
        flower flowers f Blume Blumen O
        tree trees m Baum Bäume R
        stone stones m Stein Steine O
        basket baskets m Korb Körbe O
        blanket blankets f Decke Decken O
        pillow pillows n Kissen Kissen O
        mirror mirrors m Spiegel Spiegel O
        wallet wallets f Geldbörse Geldbörsen O
        coin coins f Münze Münzen O
        candle candles f Kerze Kerzen O
        window windows n Fenster Fenster RC
        door doors f Tür Türen RC
        bed beds n Bett Betten OR
        sofa sofas n Sofa Sofas OR
        bicycle bicycles n Fahrrad Fahrräder V
        car cars n Auto Autos VR
        bus buses m Bus Busse VR
        train trains m Zug Züge V
        boat boats n Boot Boote VB
        ship ships n Schiff Schiffe VB
        plane planes n Flugzeug Flugzeuge V
        truck trucks m Lastwagen Lastwagen VR
        tractor tractors m Traktor Traktoren V
        book books n Buch Bücher TOC
        letter letters m Brief Briefe TC
        newspaper newspapers f Zeitung Zeitungen T
        magazine magazines f Zeitschrift Zeitschriften T
        poem poems n Gedicht Gedichte T
        report reports m Bericht Berichte T
        message messages f Nachricht Nachrichten T
        note notes f Notiz Notizen T
        novel novels m Roman Romane T
        email emails f E-Mail E-Mails T
        recipe recipes n Rezept Rezepte T
        postcard postcards f Postkarte Postkarten T
        article articles m Artikel Artikel T
        list lists f Liste Listen T
        song songs n Lied Lieder M
        story stories f Geschichte Geschichten TI
        joke jokes m Witz Witze I
        film films m Film Filme M
        photo photos n Foto Fotos M
        idea ideas f Idee Ideen I
        plan plans m Plan Pläne I
        problem problems n Problem Probleme I
        question questions f Frage Fragen I
        answer answers f Antwort Antworten I
        rule rules f Regel Regeln I
        secret secrets n Geheimnis Geheimnisse I
        mistake mistakes m Fehler Fehler I
        solution solutions f Lösung Lösungen I
        project projects n Projekt Projekte I
        game games n Spiel Spiele I
        lesson lessons f Lektion Lektionen I
        word words n Wort Wörter I
        language languages f Sprache Sprachen I
        name names m Name Namen I w
        trip trips m Ausflug Ausflüge I
        garden gardens m Garten Gärten L loc=in:in
        park parks m Park Parks L loc=in:in
        kitchen kitchens f Küche Küchen L loc=in:in
        school schools f Schule Schulen LRB loc=at:in
        city cities f Stadt Städte L loc=in:in
        village villages n Dorf Dörfer L loc=in:in
        forest forests m Wald Wälder L loc=in:in
        house houses n Haus Häuser LRB loc=in:in
        office offices n Büro Büros L loc=in:in
        station stations m Bahnhof Bahnhöfe LRB loc=at:an
        library libraries f Bibliothek Bibliotheken LB loc=in:in
        hospital hospitals n Krankenhaus Krankenhäuser LB loc=in:in
        market markets m Markt Märkte L loc=at:auf
        river rivers m Fluss Flüsse L loc=by:an
        lake lakes m See Seen L loc=by:an
        beach beaches m Strand Strände L loc=on:an
        mountain mountains m Berg Berge L loc=on:auf
        street streets f Straße Straßen LB loc=on:auf
        bridge bridges f Brücke Brücken LRB loc=on:auf
        museum museums n Museum Museen LRB loc=in:in
        restaurant restaurants n Restaurant Restaurants LR loc=in:in
        hotel hotels n Hotel Hotels LRB loc=in:in
        airport airports m Flughafen Flughäfen LB loc=at:an
        island islands f Insel Inseln L loc=on:auf
        square squares m Platz Plätze L loc=in:auf
        stage stages f Bühne Bühnen LB loc=on:auf
        room rooms n Zimmer Zimmer L loc=in:in
        church churches f Kirche Kirchen LRB loc=in:in
        castle castles n Schloss Schlösser LRB loc=in:in
        harbor harbors m Hafen Häfen L loc=in:in
        shop shops m Laden Läden LR loc=in:in
        bakery bakeries f Bäckerei Bäckereien LR loc=in:in
        farm farms m Bauernhof Bauernhöfe L loc=on:auf
        cinema cinemas n Kino Kinos LR loc=at:in
        theater theaters n Theater Theater LRB loc=at:in
        zoo zoos m Zoo Zoos L loc=at:in
        supermarket supermarkets m Supermarkt Supermärkte LR loc=at:in
        factory factories f Fabrik Fabriken LB loc=in:in
        classroom classrooms n Klassenzimmer Klassenzimmer L loc=in:in
        bathroom bathrooms n Badezimmer Badezimmer L loc=in:in
        hall halls f Halle Hallen LB loc=in:in
        tower towers m Turm Türme LRB loc=in:in
        field fields n Feld Felder L loc=in:auf
        meadow meadows f Wiese Wiesen L loc=in:auf
        party parties f Party Partys L loc=at:auf
        concert concerts n Konzert Konzerte L loc=at:in
        bank banks f Bank Banken LR loc=at:in
        garage garages f Garage Garagen LRB loc=in:in
        """

    static func nouns() -> [Noun] {
        nounTable.split(separator: "\n").map { line in
            let f = line.split(separator: " ")
            precondition(f.count >= 6, "bad noun line \(line)")
            let g: Gender = switch f[2] { case "m": .masculine; case "f": .feminine; default: .neuter }
            var location: (String, String)? = nil
            var weak = false
            for extra in f.dropFirst(6) {
                if extra.hasPrefix("loc=") {
                    let p = extra.dropFirst(4).split(separator: ":")
                    location = (String(p[0]), String(p[1]))
                } else if extra == "w" { weak = true }
            }
            return Noun(english: String(f[0]), englishPlural: String(f[1]), gender: g, german: String(f[3]),
                        germanPlural: String(f[4]), weak: weak, classes: NounClass.parse(f[5]), location: location)
        }
    }

    static let adjectiveTable = """
        big groß *
        small klein *
        old alt *
        young jung PA
        new neu OTVLMB
        long lang TMIL
        short kurz TMIL
        red rot OVLA
        blue blau OVL
        green grün OVLF
        yellow gelb OVLF
        black schwarz OVLA
        white weiß OVLA
        brown braun OVA
        gray grau OVLA
        happy glücklich PA
        sad traurig PAMT
        tired müde PA
        hungry hungrig PA
        angry wütend PA
        friendly freundlich PAL
        clever klug PA
        brave mutig PA
        shy schüchtern PA
        lazy faul PA
        funny lustig PAMTI
        nice nett P
        quiet ruhig PAL
        famous berühmt PLTM
        rich reich P
        poor arm PA
        busy beschäftigt P
        strong stark PA
        sick krank PA
        proud stolz PA
        curious neugierig PA
        nervous nervös PA
        polite höflich P
        strict streng P
        lonely einsam PAL
        heavy schwer OVT
        light leicht O
        cheap billig OFVT
        expensive teuer/teur OVFLT
        beautiful schön *
        ugly hässlich OVLA
        clean sauber OVL
        dirty schmutzig OVLAP
        empty leer OLV
        full voll OLV
        wet nass OAP
        dry trocken OF
        warm warm OFL
        cold kalt OFL
        hot heiß F
        fresh frisch F
        sweet süß FA
        sour sauer/saur F
        delicious lecker F
        soft weich OF
        round rund O
        sharp scharf O
        dark dunkel/dunkl LO
        bright hell LO
        strange seltsam *I
        interesting interessant TIMPL
        boring langweilig TIMP
        important wichtig TIP
        difficult schwierig I
        easy einfach I
        good gut *I
        bad schlecht *I
        wonderful wunderbar *I
        terrible schrecklich *I
        modern modern LVO
        secret geheim IT
        loud laut PAVL
        fast schnell VA
        slow langsam VA
        comfortable bequem OV
        wide breit L
        deep tief L
        high hoch/hoh L
        huge riesig *
        tiny winzig *
        pretty hübsch PALO
        crazy verrückt PAI
        fantastic fantastisch *I
        excellent ausgezeichnet ITF
        popular beliebt PLTMF
        dangerous gefährlich ALIV
        safe sicher LV
        golden golden O
        silver silbern O
        """

    static func adjectives() -> [Adjective] {
        adjectiveTable.split(separator: "\n").map { line in
            let f = line.split(separator: " ")
            precondition(f.count == 3, "bad adjective line \(line)")
            let forms = f[1].split(separator: "/")
            let german = String(forms[0])
            return Adjective(english: String(f[0]), german: german, germanStem: forms.count > 1 ? String(forms[1]) : german,
                             classes: NounClass.parse(f[2]))
        }
    }

    static let adverbTable: [(String, String, AdverbKind)] = [
        ("yesterday", "gestern", .pastTime), ("last week", "letzte Woche", .pastTime),
        ("last year", "letztes Jahr", .pastTime), ("last night", "gestern Abend", .pastTime),
        ("two days ago", "vor zwei Tagen", .pastTime), ("last summer", "letzten Sommer", .pastTime),
        ("tomorrow", "morgen", .futureTime), ("next week", "nächste Woche", .futureTime),
        ("next year", "nächstes Jahr", .futureTime), ("soon", "bald", .futureTime),
        ("next summer", "nächsten Sommer", .futureTime), ("later", "später", .futureTime),
        ("today", "heute", .anyTime), ("in the morning", "am Morgen", .anyTime),
        ("in the evening", "am Abend", .anyTime), ("at night", "in der Nacht", .anyTime),
        ("on Monday", "am Montag", .anyTime), ("on Friday", "am Freitag", .anyTime),
        ("on Sunday", "am Sonntag", .anyTime), ("in the afternoon", "am Nachmittag", .anyTime),
        ("in winter", "im Winter", .anyTime), ("in summer", "im Sommer", .anyTime),
        ("often", "oft", .frequency), ("always", "immer", .frequency), ("sometimes", "manchmal", .frequency),
        ("usually", "normalerweise", .frequency), ("rarely", "selten", .frequency),
        ("quickly", "schnell", .manner), ("slowly", "langsam", .manner), ("carefully", "sorgfältig", .manner),
        ("quietly", "leise", .manner), ("loudly", "laut", .manner), ("happily", "fröhlich", .manner),
        ("patiently", "geduldig", .manner), ("secretly", "heimlich", .manner), ("together", "zusammen", .manner),
        ("alone", "allein", .manner), ("again", "wieder", .manner), ("immediately", "sofort", .manner),
    ]

    static func adverbs() -> [Adverb] { adverbTable.map { Adverb(english: $0.0, german: $0.1, kind: $0.2) } }
}
