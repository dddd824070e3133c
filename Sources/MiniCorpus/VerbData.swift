/// The verb table.
///
/// One line per verb, fields separated by ` ; `:
/// 1. English `base/past/participle[/third/ing][+particle]` (third and -ing follow the spelling rules when empty);
/// 2. German infinitive, `|` after a separable prefix (`an|rufen`), `_` for a prefix written apart
///    (`spazieren_gehen`);
/// 3. German past participle (with the prefix); 4. perfect auxiliary `h` (haben) or `s` (sein);
/// 5. present overrides: `du,er` forms, or all six forms, or `-`;
/// 6. subject classes (`~` first: stative, no progressive);
/// 7. frames: `i` intransitive; `a:SPEC[:en[:de]]` accusative object (or German preposition `de` + accusative,
///    English preposition `en`); `d:SPEC[:en[:de]]` dative object; `g:RECIPIENT:SPEC:en` dative person +
///    accusative thing; `c` that-clause; `w` whether-clause; `cd[:en]` dative person + that-clause;
///    `wa` accusative person + whether-clause. SPEC: class letters, optionally `=noun,noun` (nouns by name);
/// 8. optional `L`: wants a place.
enum VerbData {
    static let table = """
        see/saw/seen ; sehen ; gesehen ; h ; siehst,sieht ; ~PA ; a:*
        find/found/found ; finden ; gefunden ; h ; - ; PA ; a:PAOFTV
        buy/bought/bought ; kaufen ; gekauft ; h ; - ; P ; a:OFTV g:P:O=cake,book,novel,ticket:for
        sell/sold/sold ; verkaufen ; verkauft ; h ; - ; P ; a:OFTV=house g:P:OFV:to
        eat/ate/eaten ; essen ; gegessen ; h ; isst,isst ; P ; a:F i
        cook/cooked/cooked ; kochen ; gekocht ; h ; - ; P ; a:=soup,meal,potato,egg,sausage,carrot i g:P:=soup,meal:for
        bake/baked/baked ; backen ; gebacken ; h ; - ; P ; a:=cake,cookie,pizza i g:P:=cake,cookie,pizza:for
        read/read/read ; lesen ; gelesen ; h ; liest,liest ; P ; a:T i c
        write/wrote/written ; schreiben ; geschrieben ; h ; - ; P ; a:T=song i g:P:=letter,message,email,postcard,poem,note:to c
        open/opened/opened ; öffnen ; geöffnet ; h ; - ; P ; a:C
        close/closed/closed ; schließen ; geschlossen ; h ; - ; P ; a:C
        clean/cleaned/cleaned ; putzen ; geputzt ; h ; - ; P ; a:=kitchen,room,bathroom,classroom,car,bicycle,window,table,shoe,mirror,bus,boat,garage,office
        draw/drew/drawn ; zeichnen ; gezeichnet ; h ; - ; P ; a:PAOVL i
        build/built/built ; bauen ; gebaut ; h ; - ; P ; a:B g:P:=house,boat:for
        repair/repaired/repaired ; reparieren ; repariert ; h ; - ; P ; a:=clock,phone,camera,computer,lamp,bicycle,car,bus,truck,tractor,chair,table,door,window,shoe,bed,boat
        carry/carried/carried ; tragen ; getragen ; h ; trägst,trägt ; P ; a:OFT=baby,cat,rabbit
        lose/lost/lost ; verlieren ; verloren ; h ; - ; P ; a:=key,bag,wallet,ring,umbrella,hat,phone,ticket,pen,pencil,coin,map,letter,note,list,camera,ball,game
        forget/forgot/forgotten//forgetting ; vergessen ; vergessen ; h ; vergisst,vergisst ; ~P ; a:OT=name,rule,word,question,answer c
        love/loved/loved ; lieben ; geliebt ; h ; - ; ~P ; a:PAFLM
        like/liked/liked ; mögen ; gemocht ; h ; mag,magst,mag,mögen,mögt,mögen ; ~PA ; a:PAFLMT
        hate/hated/hated ; hassen ; gehasst ; h ; - ; ~PA ; a:FAM
        visit/visited/visited ; besuchen ; besucht ; h ; - ; P ; a:PL
        meet/met/met ; treffen ; getroffen ; h ; triffst,trifft ; P ; a:P
        call/called/called ; an|rufen ; angerufen ; h ; - ; P ; a:P
        pick/picked/picked+up ; ab|holen ; abgeholt ; h ; - ; P ; a:P
        invite/invited/invited ; ein|laden ; eingeladen ; h ; lädst,lädt ; P ; a:P
        watch/watched/watched ; an|sehen ; angesehen ; h ; siehst,sieht ; P ; a:MAP=game
        look/looked/looked ; suchen ; gesucht ; h ; - ; PA ; a:PAOT:for
        look/looked/looked ; an|schauen ; angeschaut ; h ; - ; PA ; a:*:at
        wash/washed/washed ; waschen ; gewaschen ; h ; wäschst,wäscht ; P ; a:=car,bicycle,dog,horse,baby,shirt,dress,plate,cup,glass,apple,jacket,blanket
        take/took/taken ; nehmen ; genommen ; h ; nimmst,nimmt ; P ; a:OFT
        catch/caught/caught ; fangen ; gefangen ; h ; fängst,fängt ; PA ; a:=ball,fish,mouse,bird,butterfly,rabbit,frog,thief
        feed/fed/fed ; füttern ; gefüttert ; h ; - ; P ; a:A=baby
        photograph/photographed/photographed ; fotografieren ; fotografiert ; h ; - ; P ; a:PAVLO
        kiss/kissed/kissed ; küssen ; geküsst ; h ; - ; P ; a:P
        hug/hugged/hugged//hugging ; umarmen ; umarmt ; h ; - ; P ; a:P
        ask/asked/asked ; fragen ; gefragt ; h ; - ; P ; a:P wa
        hear/heard/heard ; hören ; gehört ; h ; - ; ~PA ; a:PAM c
        describe/described/described ; beschreiben ; beschrieben ; h ; - ; P ; a:*I
        understand/understood/understood ; verstehen ; verstanden ; h ; - ; ~P ; a:=question,problem,rule,idea,plan,answer,joke,word,language,lesson,story,solution,letter,article c
        explain/explained/explained ; erklären ; erklärt ; h ; - ; P ; a:I g:P:I:to cd:to
        discuss/discussed/discussed ; besprechen ; besprochen ; h ; besprichst,bespricht ; P ; a:=plan,problem,question,idea,project,report,article,film,lesson,trip,solution,mistake,rule
        plan/planned/planned//planning ; planen ; geplant ; h ; - ; P ; a:=trip,project,party,concert,meal,game
        order/ordered/ordered ; bestellen ; bestellt ; h ; - ; P ; a:F
        choose/chose/chosen ; aus|suchen ; ausgesucht ; h ; - ; P ; a:OFTMV
        need/needed/needed ; brauchen ; gebraucht ; h ; - ; ~PA ; a:OTVF
        wait/waited/waited ; warten ; gewartet ; h ; - ; PA ; a:PV:for:auf i
        listen/listened/listened ; zu|hören ; zugehört ; h ; - ; PA ; d:PM:to i
        think/thought/thought ; denken ; gedacht ; h ; - ; ~P ; a:PAIL:about:an c
        talk/talked/talked ; sprechen ; gesprochen ; h ; sprichst,spricht ; P ; a:*I:about:über i
        dream/dreamed/dreamed ; träumen ; geträumt ; h ; - ; PA ; d:*I:about:von i c
        laugh/laughed/laughed ; lachen ; gelacht ; h ; - ; P ; a:PAM=joke,mistake,idea,story:at:über i
        argue/argued/argued ; streiten ; gestritten ; h ; - ; P ; a:=plan,problem,question,idea,project,rule,film,game,mistake:about:über i
        help/helped/helped ; helfen ; geholfen ; h ; hilfst,hilft ; PA ; d:PA i
        thank/thanked/thanked ; danken ; gedankt ; h ; - ; P ; d:P
        follow/followed/followed ; folgen ; gefolgt ; s ; - ; PA ; d:PAV
        answer/answered/answered ; antworten ; geantwortet ; h ; - ; P ; d:P
        trust/trusted/trusted ; vertrauen ; vertraut ; h ; - ; ~PA ; d:PA
        believe/believed/believed ; glauben ; geglaubt ; h ; - ; ~P ; d:P c
        congratulate/congratulated/congratulated ; gratulieren ; gratuliert ; h ; - ; P ; d:P
        give/gave/given ; geben ; gegeben ; h ; gibst,gibt ; P ; g:PA:OFT:to
        show/showed/shown ; zeigen ; gezeigt ; h ; - ; P ; g:P:OTMVAL:to
        send/sent/sent ; schicken ; geschickt ; h ; - ; P ; g:P:=letter,gift,message,email,postcard,photo,picture,book,report:to
        bring/brought/brought ; bringen ; gebracht ; h ; - ; PA ; g:P:OFT:to a:OFT
        lend/lent/lent ; leihen ; geliehen ; h ; - ; P ; g:P:=book,bicycle,car,umbrella,pen,pencil,camera,guitar,coat,jacket,ball,map:to
        offer/offered/offered ; an|bieten ; angeboten ; h ; - ; P ; g:P:F:to
        recommend/recommended/recommended ; empfehlen ; empfohlen ; h ; empfiehlst,empfiehlt ; P ; g:P:=book,film,restaurant,hotel,song,novel,recipe,museum,cake,salad,soup:to
        tell/told/told ; erzählen ; erzählt ; h ; - ; P ; g:P:=story,joke,secret:to cd
        read/read/read ; vor|lesen ; vorgelesen ; h ; liest,liest ; P ; g:P:=story,poem,letter,book,article,novel:to
        promise/promised/promised ; versprechen ; versprochen ; h ; versprichst,verspricht ; P ; g:P:=gift,toy,trip,cake,book,bicycle:to cd
        say/said/said ; sagen ; gesagt ; h ; - ; P ; c
        know/knew/known ; wissen ; gewusst ; h ; weiß,weißt,weiß,wissen,wisst,wissen ; ~P ; c w
        hope/hoped/hoped ; hoffen ; gehofft ; h ; - ; ~P ; c
        notice/noticed/noticed ; bemerken ; bemerkt ; h ; - ; ~P ; a:PA=mistake,problem c
        learn/learned/learned ; erfahren ; erfahren ; h ; erfährst,erfährt ; ~P ; c
        claim/claimed/claimed ; behaupten ; behauptet ; h ; - ; P ; c
        sleep/slept/slept ; schlafen ; geschlafen ; h ; schläfst,schläft ; PA ; i
        work/worked/worked ; arbeiten ; gearbeitet ; h ; - ; P ; i
        sing/sang/sung ; singen ; gesungen ; h ; - ; PA ; i a:=song
        dance/danced/danced ; tanzen ; getanzt ; h ; - ; P ; i
        play/played/played ; spielen ; gespielt ; h ; - ; PA ; i a:=game,song
        swim/swam/swum//swimming ; schwimmen ; geschwommen ; s ; - ; PA ; i
        run/ran/run//running ; rennen ; gerannt ; s ; - ; PA ; i
        walk/walked/walked ; spazieren_gehen ; spazieren gegangen ; s ; - ; P ; i
        travel/traveled/traveled ; reisen ; gereist ; s ; - ; P ; i
        cry/cried/cried ; weinen ; geweint ; h ; - ; P ; i
        smile/smiled/smiled ; lächeln ; gelächelt ; h ; - ; P ; i
        arrive/arrived/arrived ; an|kommen ; angekommen ; s ; - ; PA ; i
        sit/sat/sat//sitting ; sitzen ; gesessen ; h ; - ; PA ; i ; L
        stand/stood/stood ; stehen ; gestanden ; h ; - ; PA ; i ; L
        live/lived/lived ; wohnen ; gewohnt ; h ; - ; P ; i ; L
        shout/shouted/shouted ; schreien ; geschrien ; h ; - ; PA ; i
        whisper/whispered/whispered ; flüstern ; geflüstert ; h ; - ; P ; i
        jump/jumped/jumped ; springen ; gesprungen ; s ; - ; PA ; i
        climb/climbed/climbed ; klettern ; geklettert ; s ; - ; PA ; i
        fly/flew/flown ; fliegen ; geflogen ; s ; - ; PA ; i
        drive/drove/driven ; fahren ; gefahren ; s ; fährst,fährt ; P ; i
        fall/fell/fallen+asleep ; ein|schlafen ; eingeschlafen ; s ; schläfst,schläft ; PA ; i
        wake/woke/woken+up ; auf|wachen ; aufgewacht ; s ; - ; PA ; i
        get/got/gotten//getting+up ; auf|stehen ; aufgestanden ; s ; - ; PA ; i
        stay/stayed/stayed ; bleiben ; geblieben ; s ; - ; PA ; i ; L
        study/studied/studied ; lernen ; gelernt ; h ; - ; P ; i a:=language,rule,word,lesson,poem,song
        paint/painted/painted ; malen ; gemalt ; h ; - ; P ; i a:=picture,flower,tree,horse,house,bird
        come/came/come+back ; zurück|kommen ; zurückgekommen ; s ; - ; PA ; i
        go/went/gone+out ; aus|gehen ; ausgegangen ; s ; - ; P ; i
        celebrate/celebrated/celebrated ; feiern ; gefeiert ; h ; - ; P ; i
        shop/shopped/shopped//shopping ; ein|kaufen ; eingekauft ; h ; - ; P ; i
        cough/coughed/coughed ; husten ; gehustet ; h ; - ; PA ; i
        teach/taught/taught ; unterrichten ; unterrichtet ; h ; - ; P ; i a:P
        win/won/won//winning ; gewinnen ; gewonnen ; h ; - ; P ; i a:=game
        push/pushed/pushed ; schieben ; geschoben ; h ; - ; P ; a:=car,bicycle,truck,chair,table,bed,sofa,box
        pull/pulled/pulled ; ziehen ; gezogen ; h ; - ; PA ; a:=car,boat,box,chair,tractor,basket
        throw/threw/thrown ; werfen ; geworfen ; h ; wirfst,wirft ; P ; a:=ball,stone,key,apple,pillow,coin
        break/broke/broken ; zerbrechen ; zerbrochen ; h ; zerbrichst,zerbricht ; P ; a:=glass,cup,plate,mirror,window,bottle,lamp
        steal/stole/stolen ; stehlen ; gestohlen ; h ; stiehlst,stiehlt ; P ; a:=wallet,car,bicycle,camera,phone,ring,coin,key,bag,computer,picture,guitar,cake
        hide/hid/hidden ; verstecken ; versteckt ; h ; - ; PA ; a:OFT
        borrow/borrowed/borrowed ; aus|leihen ; ausgeliehen ; h ; - ; P ; a:=book,bicycle,car,umbrella,pen,camera,guitar
        drink/drank/drunk ; trinken ; getrunken ; h ; - ; P ; i
        count/counted/counted ; zählen ; gezählt ; h ; - ; P ; a:=coin,sheep,bird,chair,apple,egg,ticket
        collect/collected/collected ; sammeln ; gesammelt ; h ; - ; P ; a:=stone,coin,flower,apple,photo,picture,egg
        prepare/prepared/prepared ; vor|bereiten ; vorbereitet ; h ; - ; P ; a:=meal,soup,salad,lesson,report,trip,party,concert,project
        check/checked/checked ; überprüfen ; überprüft ; h ; - ; P ; a:=report,list,answer,ticket,car,bicycle,plan
        sign/signed/signed ; unterschreiben ; unterschrieben ; h ; - ; P ; a:=letter,report,list,postcard
        translate/translated/translated ; übersetzen ; übersetzt ; h ; - ; P ; a:=letter,poem,article,report,message,novel,word,story,book
        recognize/recognized/recognized ; erkennen ; erkannt ; h ; - ; ~PA ; a:PAL
        greet/greeted/greeted ; begrüßen ; begrüßt ; h ; - ; P ; a:P
        admire/admired/admired ; bewundern ; bewundert ; h ; - ; ~P ; a:PLMO
        protect/protected/protected ; beschützen ; beschützt ; h ; - ; PA ; a:PA
        save/saved/saved ; retten ; gerettet ; h ; - ; PA ; a:PA
        miss/missed/missed ; vermissen ; vermisst ; h ; - ; ~PA ; a:PAL
        cut/cut/cut//cutting ; schneiden ; geschnitten ; h ; - ; P ; a:=cake,apple,cheese,sausage,onion,tomato,cucumber,pizza,carrot
        touch/touched/touched ; berühren ; berührt ; h ; - ; PA ; a:*
        enter/entered/entered ; betreten ; betreten ; h ; betrittst,betritt ; PA ; a:=house,room,kitchen,classroom,church,museum,castle,shop,bakery,office,hotel,restaurant,library,hall,tower
        leave/left/left ; verlassen ; verlassen ; h ; verlässt,verlässt ; PA ; a:LP
        reach/reached/reached ; erreichen ; erreicht ; h ; - ; PA ; a:=station,airport,village,city,island,beach,mountain,river,lake,bus,train
        cross/crossed/crossed ; überqueren ; überquert ; h ; - ; PA ; a:=street,river,bridge,square,field,meadow,lake
        explore/explored/explored ; erkunden ; erkundet ; h ; - ; PA ; a:=city,forest,island,castle,museum,village,mountain
        """

    static func verbs() -> [Verb] {
        table.split(separator: "\n").map { parse(String($0)) }
    }

    static func spec(_ s: Substring) -> (NounClass, [String]) {
        let parts = s.split(separator: "=", omittingEmptySubsequences: false)
        let classes = NounClass.parse(parts[0])
        let names = parts.count > 1 ? parts[1].split(separator: ",").map(String.init) : []
        return (classes, names)
    }

    static func parse(_ line: String) -> Verb {
        let f = line.components(separatedBy: " ; ")
        precondition(f.count >= 7, "bad verb line \(line)")
        // English
        var englishField = Substring(f[0])
        var particle: String? = nil
        if let plus = englishField.firstIndex(of: "+") {
            particle = String(englishField[englishField.index(after: plus)...])
            englishField = englishField[..<plus]
        }
        let e = englishField.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let base = e[0]
        let third = e.count > 3 && !e[3].isEmpty ? e[3] : English.thirdPerson(base)
        let ing = e.count > 4 && !e[4].isEmpty ? e[4] : English.ingForm(base)
        // German
        var inf = f[1], prefix: String? = nil, joined = true
        if let bar = inf.firstIndex(of: "|") {
            prefix = String(inf[..<bar]); inf = String(inf[inf.index(after: bar)...])
        } else if let us = inf.firstIndex(of: "_") {
            prefix = String(inf[..<us]); inf = String(inf[inf.index(after: us)...]); joined = false
        }
        let overrides = f[4] == "-" ? [] : f[4].split(separator: ",").map(String.init)
        var present = German.regularPresent(inf)
        if overrides.count == 6 { present = overrides } else if overrides.count == 2 {
            present[1] = overrides[0]; present[2] = overrides[1]
        } else { precondition(overrides.isEmpty, "bad overrides in \(line)") }
        var subj = Substring(f[5])
        var stative = false
        if subj.hasPrefix("~") { stative = true; subj = subj.dropFirst() }
        var frames: [VerbFrame] = []
        for token in f[6].split(separator: " ") {
            let p = token.split(separator: ":", omittingEmptySubsequences: false)
            switch p[0] {
            case "i": frames.append(.intransitive)
            case "a", "d":
                let (classes, names) = spec(p[1])
                frames.append(.transitive(Complement(classes: classes, only: names,
                                                     englishPreposition: p.count > 2 ? String(p[2]) : nil,
                                                     germanPreposition: p.count > 3 ? String(p[3]) : nil,
                                                     germanCase: p[0] == "a" ? .accusative : .dative)))
            case "g":
                let (classes, names) = spec(p[2])
                frames.append(.ditransitive(recipient: NounClass.parse(p[1]),
                                            theme: Complement(classes: classes, only: names, englishPreposition: nil,
                                                              germanPreposition: nil, germanCase: .accusative),
                                            englishPreposition: String(p[3])))
            case "c": frames.append(.clause(whether: false, personCase: nil, englishPreposition: nil))
            case "w": frames.append(.clause(whether: true, personCase: nil, englishPreposition: nil))
            case "cd": frames.append(.clause(whether: false, personCase: .dative, englishPreposition: p.count > 1 ? String(p[1]) : nil))
            case "wa": frames.append(.clause(whether: true, personCase: .accusative, englishPreposition: nil))
            default: preconditionFailure("bad frame \(token) in \(line)")
            }
        }
        return Verb(english: base, englishPast: e[1], englishParticiple: e[2], englishThird: third, englishIng: ing,
                    englishParticle: particle, germanInfinitive: inf, germanPrefix: prefix, prefixJoined: joined,
                    germanParticiple: f[2], auxiliary: f[3] == "s" ? .sein : .haben, germanPresent: present,
                    subjects: NounClass.parse(subj), frames: frames, stative: stative,
                    wantsPlace: f.count > 7 && f[7].contains("L"))
    }
}
