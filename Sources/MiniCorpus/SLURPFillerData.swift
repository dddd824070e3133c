/// The filler lists of the mini SLURP templates, by name. A slot `{type}` draws from the list `type`,
/// `{type:list}` from `list`, `<list>` (not an entity) from `list`. Every fifth entry of a list
/// (index 4, 9, …) is held out of training, so that devel and test can hold entities never heard in
/// training, as SLURP's test set does. `{date}` is a relative date ("tomorrow", "this weekend"),
/// `{date:day}` one that takes "on" ("friday", "the third of june"). Lower case, words only (no digits: SLURP transcribes numbers
/// as words).
enum SLURPFillerData {
    static func words(_ s: String) -> [String] {
        s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    static let hours = words("one, two, three, four, five, six, seven, eight, nine, ten, eleven, twelve")
    static let weekdays = words("monday, tuesday, wednesday, thursday, friday, saturday, sunday")
    static let months = words("january, february, march, april, may, june, july, august, september, october, november, december")
    static let ordinals = words("""
        first, second, third, fourth, fifth, sixth, seventh, eighth, ninth, tenth, eleventh, twelfth, thirteenth,
        fourteenth, fifteenth, sixteenth, seventeenth, eighteenth, nineteenth, twentieth, twenty first, twenty second,
        twenty third, twenty fourth, twenty fifth, twenty sixth, twenty seventh, twenty eighth, twenty ninth, thirtieth
        """)

    /// Clock times: "seven", "seven thirty pm", "half past seven", "quarter to eight", "noon", …
    static var times: [String] {
        var out = ["noon", "midnight"]
        for (i, h) in hours.enumerated() {
            let next = hours[(i + 1) % hours.count]
            out += ["\(h) am", "\(h) pm", "\(h) o'clock", "\(h) thirty", "\(h) fifteen", "\(h) forty five", "half past \(h)",
                    "quarter past \(h)", "quarter to \(next)", "\(h) thirty am", "\(h) thirty pm", "\(h) in the morning",
                    "\(h) in the evening", "ten past \(h)", "twenty to \(next)"]
        }
        return out
    }

    /// Calendar dates: "the third of june", "june third" (every seventh combination, so all months and days occur).
    static var calendarDates: [String] {
        var out: [String] = []
        var k = 0
        for m in months {
            for o in ordinals {
                if k % 7 == 0 { out.append(k % 2 == 0 ? "the \(o) of \(m)" : "\(m) \(o)") }
                k += 1
            }
        }
        return out
    }

    static var days: [String] { weekdays + weekdays.map { "next \($0)" } + calendarDates }
    static let relativeDates = words("""
        today, tomorrow, the day after tomorrow, this weekend, next week, this week, next weekend, tonight,
        this friday, this monday, this saturday, tomorrow morning, tomorrow night, tomorrow evening, the morning after next
        """)
    static let recentDates = words("today, yesterday, this morning, this week, last night, this evening")

    static var lists: [String: [String]] {
        [
            "time": times,
            "date": relativeDates,
            "day": days,
            "weekday": weekdays,
            "calendar": calendarDates,
            "recent": recentDates,
            "timeofday": words("morning, afternoon, evening"),
            "person": words("""
                john, mary, sarah, david, emma, michael, lisa, james, anna, peter, laura, tom, kate, daniel, sophie, mark,
                julia, paul, helen, george, alice, robert, olivia, chris, jessica, steve, rachel, andrew, natalie, brian,
                claire, kevin, megan, simon, fiona, martin, grace, oliver, lucy, matthew, hannah, william, emily, ben,
                chloe, jack, amy, ryan, zoe, adam, ian, jane, susan, patrick, victoria, henry, charlotte, sam, nick, ruth
                """),
            "famous": words("""
                albert einstein, william shakespeare, barack obama, marie curie, isaac newton, charles darwin,
                nelson mandela, leonardo da vinci, mozart, beethoven, picasso, cleopatra, napoleon, gandhi,
                abraham lincoln, winston churchill, tom hanks, oprah winfrey, serena williams, lionel messi, usain bolt,
                bill gates, steve jobs, jane austen, charles dickens, frida kahlo, neil armstrong, queen victoria,
                galileo, florence nightingale
                """),
            "relation": words("mum, dad, wife, husband, sister, brother, boss, son, daughter, grandma, grandad, uncle, aunt, cousin, flatmate"),
            "personal_info": words("phone number, email address, home address, birthday, mobile number, work number, postcode"),
            "place_name": words("""
                london, paris, new york, tokyo, berlin, madrid, rome, sydney, chicago, boston, dublin, edinburgh,
                manchester, glasgow, amsterdam, vienna, prague, lisbon, barcelona, moscow, beijing, delhi, mumbai, cairo,
                toronto, vancouver, seattle, miami, denver, atlanta, houston, dallas, los angeles, san francisco,
                las vegas, oslo, stockholm, copenhagen, helsinki, warsaw, budapest, athens, istanbul, dubai, singapore,
                hong kong, bangkok, seoul, melbourne, auckland, mexico city, buenos aires, cape town, nairobi, brussels,
                zurich, geneva, munich, hamburg, milan, venice, florence, naples, oxford, cambridge, bristol, liverpool,
                leeds, cardiff, belfast, york, brighton, nottingham, sheffield, aberdeen
                """),
            "song_name": words("""
                yesterday, bohemian rhapsody, hey jude, imagine, hotel california, wonderwall, let it be, purple rain,
                billie jean, thriller, like a rolling stone, smells like teen spirit, sweet child of mine, hallelujah,
                yellow, clocks, shape of you, rolling in the deep, someone like you, bad guy, blinding lights,
                dancing queen, waterloo, fix you, halo, umbrella, respect, stairway to heaven, blackbird, let her go,
                perfect, happy, roar, firework, viva la vida, one love, three little birds, redemption song, heroes,
                space oddity, africa, take on me, jolene, creep, karma police, mr brightside, valerie, rehab, chandelier,
                shallow, toxic, vogue, superstition, here comes the sun, yellow submarine, penny lane
                """),
            "artist_name": words("""
                the beatles, queen, adele, coldplay, taylor swift, ed sheeran, beyonce, rihanna, madonna, prince,
                michael jackson, bob dylan, bob marley, david bowie, elton john, the rolling stones, pink floyd,
                led zeppelin, nirvana, radiohead, oasis, blur, the killers, amy winehouse, dolly parton, johnny cash, abba,
                the eagles, billie eilish, the weeknd, sia, lady gaga, katy perry, bruno mars, drake, eminem,
                stevie wonder, aretha franklin, frank sinatra, ella fitzgerald, miles davis, norah jones, lana del rey,
                arctic monkeys, florence and the machine, muse, the cure, depeche mode, kylie minogue, shakira,
                justin bieber, harry styles, dua lipa, fleetwood mac, whitney houston
                """),
            "music_genre": words("""
                jazz, rock, pop, classical, hip hop, country, blues, reggae, techno, soul, heavy metal, punk, folk, disco,
                funk, opera, indie, rap, gospel, ambient, electronic, latin, rock and roll, drum and bass
                """),
            "playlist_name": words("workout, chill, party, road trip, running, dinner, morning, study, relaxing, summer, sleep, throwback, cooking, focus"),
            "radio_name": words("""
                bbc radio one, bbc radio two, radio four, classic fm, capital fm, heart fm, kiss fm, jazz fm, absolute radio,
                radio x, world service, talk sport, smooth radio, magic fm
                """),
            "podcast_name": words("""
                the daily, serial, this american life, radiolab, freakonomics, the moth, planet money,
                no such thing as a fish, desert island discs, in our time, the infinite monkey cage, stuff you should know
                """),
            "podcast_descriptor": words("history, true crime, cooking, football, science, politics, comedy, business, technology, gardening, health, travel"),
            "audiobook_name": words("""
                harry potter, the hobbit, pride and prejudice, moby dick, war and peace, great expectations,
                the great gatsby, dracula, frankenstein, jane eyre, little women, the odyssey, treasure island,
                animal farm, brave new world, the lord of the rings, wuthering heights, oliver twist
                """),
            "audiobook_author": words("""
                jane austen, charles dickens, george orwell, mark twain, agatha christie, stephen king, j k rowling,
                tolkien, leo tolstoy, virginia woolf, ernest hemingway, roald dahl
                """),
            "game_name": words("chess, sudoku, trivia, hangman, twenty questions, crossword, tic tac toe, bingo, poker, solitaire, word association, i spy"),
            "device_type": words("""
                fan, heater, kettle, television, dishwasher, washing machine, air conditioner, smart plug, socket,
                printer, tumble dryer, electric blanket, toaster, humidifier, fish tank pump
                """),
            "cleaner": words("vacuum cleaner, robot vacuum, hoover, robot hoover, roomba, mopping robot"),
            "house_place": words("""
                kitchen, bedroom, living room, bathroom, hallway, office, garage, garden, dining room, basement, attic,
                kids room, study, porch, lounge, spare room, landing, utility room
                """),
            "color_type": words("red, blue, green, yellow, purple, orange, pink, white, warm white, cool blue, soft pink, violet, turquoise, amber"),
            "change_amount": words("ten percent, twenty percent, a little, a lot, fifty percent, thirty percent, five percent, two levels, one notch"),
            "coffee_type": words("latte, cappuccino, espresso, americano, flat white, mocha, black coffee, decaf, macchiato, cortado"),
            "list_name": words("""
                shopping, grocery, to do, packing, christmas, birthday, reading, wish, chores, holiday, work, gift, movie,
                homework, party, camping, hardware
                """),
            "item": words("""
                milk, eggs, bread, butter, apples, bananas, coffee, tea bags, rice, pasta, cheese, yoghurt, tomatoes,
                potatoes, onions, carrots, chicken, sugar, flour, orange juice, washing up liquid, toilet paper,
                batteries, light bulbs, shampoo, toothpaste, dog food, cat food, bin bags, cereal, honey, jam, olive oil,
                salt, garlic, lemons, strawberries, grapes, biscuits, crisps, sausages, bacon, baked beans, wine, beer,
                sparkling water, nappies, sun cream, tissues, candles
                """),
            "topic": words("""
                the meeting, the project, dinner, the report, the holiday, the budget, the party, the weekend, the contract,
                the invoice, the presentation, the school trip, the new office, the car, the tickets
                """),
            "food_type": words("""
                pizza, sushi, curry, burgers, fish and chips, noodles, pad thai, tacos, burritos, kebab, fried chicken,
                lasagne, ramen, dim sum, falafel, salad, pasta, chow mein, spring rolls, paella, dumplings, sandwiches,
                chicken wings, vegetable soup, pancakes, steak, risotto, shepherd's pie, chilli con carne, spaghetti bolognese,
                tikka masala, banana bread, apple pie, chocolate cake
                """),
            "business_name": words("""
                pizza hut, dominos, mcdonalds, burger king, subway, nandos, kfc, wagamama, starbucks, costa, pret,
                five guys, the golden dragon, the olive garden, the curry house, the red lion, bella italia,
                the noodle bar, yo sushi, pizza express, the royal oak, deliveroo, just eat, greggs
                """),
            "company": words("""
                apple, google, amazon, microsoft, tesla, netflix, ibm, intel, nike, boeing, shell, barclays, vodafone,
                unilever, toyota, samsung, disney, coca cola, facebook, sony
                """),
            "business_type": words("""
                restaurant, cafe, bakery, pharmacy, supermarket, cinema, museum, gym, library, hotel, bar, pub, bookshop,
                hairdresser, bank, post office, petrol station, chinese restaurant, italian restaurant, coffee shop
                """),
            "transport_type": words("train, bus, coach, ferry, flight, tram, plane, night bus, express train, sleeper train, boat"),
            "cab": words("taxi, cab, minicab, black cab"),
            "taxi_company": words("uber, lyft, addison lee, bolt, free now, gett"),
            "news_topic": words("""
                politics, sports, business, technology, science, health, the economy, the election, football,
                the stock market, climate change, entertainment, education, the olympics, space exploration, travel,
                world news, local news, celebrities, cricket, tennis, fashion, crime, art, the royal family, house prices
                """),
            "media_type": words("""
                the bbc, cnn, the guardian, the times, sky news, reuters, the new york times, fox news, al jazeera,
                the washington post, the independent, the financial times
                """),
            "app_name": words("facebook, twitter, instagram, linkedin, snapchat, tiktok, whatsapp, pinterest"),
            "weather_descriptor": words("""
                sunny, windy, cloudy, foggy, cold, hot, warm, humid, freezing, stormy, wet, icy, chilly, misty, rainy, snowy
                """),
            "weather_verb": words("rain, snow, hail, drizzle, thunder, pour, freeze, clear up"),
            "event_name": words("""
                meeting, dentist appointment, doctors appointment, team meeting, job interview, birthday party,
                dinner party, yoga class, football practice, piano lesson, haircut, conference call, parents evening,
                book club, wedding, anniversary dinner, gym session, project review, staff meeting, date night,
                car service, exam, concert, presentation, board meeting, swimming lesson, vet appointment, lunch meeting,
                school play, flight
                """),
            "event_type": words("""
                concerts, festivals, exhibitions, comedy shows, plays, markets, gigs, art exhibitions, food festivals,
                football matches, theatre shows, musicals, craft fairs, book readings, film screenings, jazz nights
                """),
            "movie_name": words("""
                star wars, the godfather, titanic, jaws, casablanca, frozen, toy story, the matrix, inception,
                jurassic park, the lion king, avatar, gladiator, finding nemo, the dark knight, back to the future,
                mary poppins, the wizard of oz, ghostbusters, top gun
                """),
            "movie_type": words("comedy, action, horror, romantic, science fiction, animated, documentary, thriller, family, drama, war, western, musical"),
            "currency_name": words("""
                dollars, euros, pounds, yen, rupees, swiss francs, canadian dollars, australian dollars, yuan, pesos,
                roubles, krona
                """),
            "currency_single": words("dollar, euro, pound, yen, rupee, swiss franc, yuan, peso, rouble"),
            "number": words("""
                two, three, four, five, six, seven, eight, nine, ten, eleven, twelve, fifteen, twenty, twenty five,
                thirty, forty, fifty, sixty, seventy five, a hundred, two hundred, five hundred, a thousand, thirteen,
                seventeen, eighty one, ninety nine, sixteen
                """),
            "time_zone": words("""
                london time, new york time, tokyo time, pacific time, eastern time, central european time,
                greenwich mean time, sydney time, mountain time, central time
                """),
            "joke_type": words("animal, doctor, computer, cat, dog, lawyer, food, school, knock knock, dad, science, football"),
        ]
    }
}
