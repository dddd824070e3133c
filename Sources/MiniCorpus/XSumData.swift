/// The word lists of the mini XSum stories: events with the verbs a document and a summary use for
/// them, causes as a document clause and a summary noun phrase, towns, times and the other sentences
/// of a story (consequences, quotes). The people come from the English lexicon (`Lexicon.standard`).
enum XSumData {
    /// An event of a story. The document tells it with one of `documentVerbs` (past tense) and
    /// `object`; the summary with "has `summaryVerb`" and the same object. `noun` names the event in
    /// the other sentences ("the closure").
    struct Event {
        var summaryVerb: String
        var documentVerbs: [String]
        var noun: String
        /// Objects: the summary's form, and the document's longer forms (the summary form when empty).
        var objects: [(summary: String, document: [String])]
    }

    static func objects(_ list: [String]) -> [(summary: String, document: [String])] {
        list.map { entry in
            let parts = entry.components(separatedBy: " | ")
            return (parts[0], parts.count > 1 ? Array(parts[1...]) : [parts[0]])
        }
    }

    static let events: [Event] = [
        Event(summaryVerb: "closed", documentVerbs: ["shut", "shut down", "locked up"], noun: "closure",
              objects: objects(["the old bridge | the old bridge over the river | the narrow old bridge",
                                "the central library | the central library on the high street",
                                "the main road | the main road into the centre",
                                "the swimming pool | the public swimming pool | the heated swimming pool",
                                "the village school | the small village school",
                                "the town museum | the town museum and its garden",
                                "the night market | the popular night market"])),
        Event(summaryVerb: "opened", documentVerbs: ["unveiled", "officially launched", "welcomed the first visitors to"], noun: "opening",
              objects: objects(["a new playground | a new playground for young children",
                                "a new sports hall | a new sports hall with six courts",
                                "a community garden | a community garden behind the church",
                                "a new cafe | a new cafe in the old station building",
                                "a cycle path | a cycle path along the canal",
                                "a food bank | a food bank for struggling families"])),
        Event(summaryVerb: "cancelled", documentVerbs: ["called off", "scrapped", "abandoned plans for"], noun: "cancellation",
              objects: objects(["the summer festival | the popular summer festival | this year's summer festival",
                                "the annual parade | the annual carnival parade",
                                "the football match | the local football match",
                                "the charity concert | the charity concert in the park",
                                "the flower show | the traditional flower show",
                                "the fireworks display | the new year fireworks display"])),
        Event(summaryVerb: "rescued", documentVerbs: ["saved", "pulled to safety", "helped to free"], noun: "rescue",
              objects: objects(["a trapped dog | a dog trapped in a drain",
                                "two young swimmers | two young swimmers caught by the tide",
                                "a group of walkers | a group of walkers lost on the hills",
                                "a stranded horse | a horse stranded in deep mud",
                                "an injured climber | an injured climber on the cliffs",
                                "a family of ducks | a family of ducks stuck on a busy road"])),
        Event(summaryVerb: "won", documentVerbs: ["took first place in", "came top in", "claimed victory in"], noun: "victory",
              objects: objects(["the regional chess tournament | the regional chess tournament for amateurs",
                                "a national baking contest | a national baking contest on television",
                                "the county marathon | the county marathon in record time",
                                "a gardening award | a gardening award for the best allotment",
                                "the poetry prize | the national poetry prize for new writers",
                                "a singing competition | a singing competition for choirs"])),
        Event(summaryVerb: "raised money for", documentVerbs: ["collected donations for", "gathered funds for", "ran a sponsored walk for"],
              noun: "appeal",
              objects: objects(["the children's hospital | the children's hospital in the city",
                                "the animal shelter | the local animal shelter",
                                "the lifeboat station | the volunteer lifeboat station",
                                "a homeless charity | a charity that helps homeless people",
                                "the village hall | the repairs to the village hall",
                                "a cancer charity | a cancer charity that helped a friend"])),
        Event(summaryVerb: "sold", documentVerbs: ["found a buyer for", "agreed the sale of", "put an end to years of ownership of"],
              noun: "sale",
              objects: objects(["the family farm | the family farm on the edge of the moor",
                                "the old cinema | the old cinema that closed in the war",
                                "a rare painting | a rare painting kept in the attic for decades",
                                "the local pub | the local pub known as the Red Lion",
                                "the historic mill | the historic water mill",
                                "a vintage car | a vintage car built before the war"])),
        Event(summaryVerb: "discovered", documentVerbs: ["dug up", "stumbled upon", "came across"], noun: "discovery",
              objects: objects(["a hoard of silver coins | a hoard of silver coins in a field",
                                "an ancient sword | an ancient sword buried near a stream",
                                "a lost painting | a lost painting hidden behind a wall",
                                "the bones of a whale | the bones of a whale on the beach",
                                "a wartime bomb | an unexploded wartime bomb",
                                "a medieval ring | a medieval gold ring"])),
        Event(summaryVerb: "resigned from", documentVerbs: ["stepped down from", "quit", "left a senior role at"], noun: "resignation",
              objects: objects(["the town council | the town council after ten years",
                                "the school board | the board of the school",
                                "the football club | the board of the football club",
                                "the health trust | the local health trust",
                                "the police authority | the regional police authority"])),
        Event(summaryVerb: "banned", documentVerbs: ["prohibited", "outlawed", "put a stop to"], noun: "ban",
              objects: objects(["cars from the market square | cars from the market square on weekends",
                                "fireworks on the beach | fireworks on the public beach",
                                "dogs from the park | dogs from the children's park",
                                "smoking outside the hospital | smoking near the hospital entrance",
                                "fishing in the lake | fishing in the lake during the summer",
                                "camping in the forest | wild camping in the forest"])),
        Event(summaryVerb: "repaired", documentVerbs: ["fixed", "restored", "finished work on"], noun: "repair",
              objects: objects(["the church clock | the church clock that stopped last year",
                                "the harbour wall | the damaged harbour wall",
                                "the town fountain | the town fountain in the square",
                                "the railway bridge | the railway bridge near the station",
                                "the castle roof | the leaking roof of the castle"])),
        Event(summaryVerb: "approved", documentVerbs: ["gave the green light to", "voted in favour of", "backed"], noun: "decision",
              objects: objects(["plans for new homes | plans for two hundred new homes",
                                "a wind farm | a wind farm on the hills",
                                "a new bus route | a new bus route to the hospital",
                                "a bigger car park | a bigger car park near the shops",
                                "a new medical centre | a new medical centre for the area",
                                "a skate park | a skate park for teenagers"])),
    ]

    /// A cause: past-tense document clauses, and the summary's noun phrase (after "after").
    static let causes: [(summary: String, document: [String])] = [
        ("floods", ["heavy rain flooded the streets", "the river burst its banks"]),
        ("a fire", ["a fire broke out late at night", "flames spread through the building"]),
        ("budget cuts", ["the council cut its budget by a third", "funding for the area was reduced"]),
        ("complaints from residents", ["hundreds of residents complained", "neighbours wrote dozens of angry letters"]),
        ("storm damage", ["a storm tore tiles from the roofs", "strong winds damaged several buildings"]),
        ("an outbreak of illness", ["several people fell ill", "a stomach bug spread among visitors"]),
        ("safety concerns", ["inspectors found cracks in the walls", "engineers warned that the structure was unsafe"]),
        ("a break-in", ["thieves broke in overnight", "burglars forced open a back door"]),
        ("a fall in visitor numbers", ["fewer people came each year", "the number of visitors dropped sharply"]),
        ("a long campaign", ["local people campaigned for years", "a petition gathered thousands of names"]),
        ("a power cut", ["the electricity failed across the area", "the power went off for two days"]),
        ("a road accident", ["a lorry crashed into a wall", "two cars collided on the corner"]),
        ("a staff shortage", ["too few workers could be found", "many staff left for better paid jobs"]),
        ("a heatwave", ["temperatures reached record levels", "the hottest week in decades dried the ground"]),
        ("heavy snow", ["snow blocked the roads for days", "a blizzard cut off the valley"]),
        ("a legal dispute", ["two families argued in court", "a court case dragged on for months"]),
        ("rising costs", ["energy bills doubled", "the price of materials went up"]),
        ("a landslide", ["part of the hillside collapsed", "mud slid down onto the road"]),
        ("a generous donation", ["a wealthy businessman gave a large sum", "an anonymous donor offered help"]),
        ("a vote by members", ["members voted at a meeting", "a ballot of members was held"]),
        ("a gas leak", ["workers smelled gas in the basement", "a pipe began to leak gas"]),
        ("an inspection", ["inspectors visited without warning", "a report by inspectors was published"]),
        ("a drought", ["no rain fell for months", "the reservoir ran almost dry"]),
        ("vandalism", ["vandals smashed the windows", "graffiti covered the walls"]),
    ]

    /// Town names: prefix + suffix (200 towns).
    static let townPrefixes = ["Ash", "Brook", "Oak", "Mill", "Stone", "Elm", "Fair", "North", "South", "West",
                               "East", "Green", "Red", "Black", "White", "Wood", "Kings", "Hay", "Rose", "Marsh"]
    static let townSuffixes = ["ford", "field", "ton", "bury", "wick", "ley", "ham", "dale", "mouth", "bridge"]
    static var towns: [String] { townPrefixes.flatMap { p in townSuffixes.map { p + $0 } } }

    static let settlements = ["town", "village", "city", "market town", "fishing village", "port"]
    static let sizes = ["small", "quiet", "busy", "growing", "historic", "remote"]
    static let locations = ["near the coast", "in the north", "in the south west", "on the edge of the hills", "by the river",
                            "close to the border", "in the east", "in a wide valley"]

    /// Who: a local person; `personAdjectives` sometimes precede the noun in both document and summary.
    static let personAdjectives = ["local", "retired", "young", "former"]
    /// A relative clause the document may add after the person (the summary leaves it out).
    static let personClauses = ["who has lived in the area for years", "who grew up nearby", "who moved there last year",
                                "who works at the hospital", "who is well known in the area"]

    /// Times of the lead sentence.
    static let times = ["On Monday", "On Tuesday", "On Wednesday", "On Thursday", "On Friday", "On Saturday", "On Sunday",
                        "Last week", "Earlier this week", "On Friday evening", "Late on Sunday", "Yesterday morning"]

    /// Consequences (not in the summary).
    static let consequences = [
        "the work will take several months", "many families will have to travel further", "the council will meet again next week",
        "prices in the area are expected to rise", "some shops have already closed their doors", "extra buses will run at weekends",
        "local businesses fear a difficult winter", "a new plan will be published in the spring", "volunteers have offered to help",
        "the police have asked people to stay away", "an investigation has been opened", "visitors have been asked to check the website",
        "the school timetable has changed", "insurance companies are studying the damage", "a public meeting has been called",
        "the mayor has promised a full report",
    ]

    static let quotes = [
        "We are very disappointed", "This is a sad day for everyone", "We hope things will get better soon",
        "Nobody expected this to happen", "It was the right thing to do", "I am proud of what we have achieved",
        "We had no other choice", "This is fantastic news for the area", "People here deserve better",
        "We will keep fighting", "It has been a long and difficult year", "I could not believe my eyes",
    ]
    static let saidVerbs = ["said", "told reporters", "added"]
}
