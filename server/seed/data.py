"""Word lists for the demo-data seeder (graph/seed.py). Everything here is invented except the
places, which are real venues and landmarks with their approximate coordinates."""

# The lists are laid out by hand, several items a line; the formatter would put one a line.
# fmt: off

FIRST_NAMES = (
    "Maya", "Kofi", "Lena", "Tomás", "Aiko", "Noah", "Zoë", "Ravi", "Ines", "Jonas",
    "Amara", "Luca", "Freya", "Mateo", "Yuki", "Olu", "Clara", "Emre", "Sofia", "Idris",
    "Hana", "Felix", "Nadia", "Oscar", "Priya", "Arjun", "Chloé", "Bruno", "Leila", "Sami",
    "Elif", "Marco", "Ada", "Kwame", "Ingrid", "Diego", "Mei", "Theo", "Aaliyah", "Finn",
    "Björn", "Camille", "Rafael", "Nour", "Hugo", "Lucía", "Kenji", "Zara", "Malik", "Greta",
    "Ana", "Ezra", "Fatima", "Oskar", "Jade", "Tariq", "Mila", "Sven", "Rosa", "Kai",
    "Noémie", "Dario", "Asha", "Leo", "Imani", "Pablo", "Saoirse", "Jun", "Ayla", "Milo",
    "Vera", "Otis", "Selin", "Iris", "Wren", "Dmitri", "Lucas", "Esme", "Kemal", "Nina",
)

LAST_NAMES = (
    "Rivera", "Mensah", "Fischer", "Silva", "Tanaka", "Okafor", "Lindqvist", "Patel", "Moreau",
    "Novak", "Haddad", "Romano", "Jensen", "García", "Kowalski", "Nakamura", "Adeyemi", "Bauer",
    "Costa", "Dubois", "Eriksen", "Ferreira", "Gallagher", "Hoffmann", "Ibrahim", "Johansson",
    "Khan", "Larsen", "Müller", "Nguyen", "O'Brien", "Petrov", "Quinn", "Rossi", "Schmidt",
    "Takahashi", "Usman", "Vargas", "Weber", "Yilmaz", "Zhang", "Andersson", "Boateng", "Castro",
    "Delgado", "Esposito", "Fontaine", "Gonzalez", "Horvath", "Ivanova", "Kim", "Lopez",
    "Mbeki", "Nilsen", "Ortega", "Park", "Reyes", "Santos", "Toure", "Varga", "Walsh", "Young",
)

# Prefixes and suffixes for the nickname-style usernames (dj_kofi, lena.beats).
NICK_PREFIXES = ("dj", "mc", "the", "its", "just", "lofi", "vinyl", "real", "hey", "mr", "ms")
NICK_SUFFIXES = (
    "music", "beats", "sounds", "wav", "fm", "tunes", "vinyl", "records", "loops", "radio",
    "plays", "mixes", "on.repeat", "listens", "hifi",
)

BIOS = (
    "",
    "",
    "Music nerd. Coffee first.",
    "Vinyl collector, {city} based.",
    "Songs I can't stop playing 🎧",
    "Sharing the soundtrack of my life, one postcard at a time.",
    "DJ on weekends, accountant on weekdays.",
    "{city} ✈️ everywhere. Always chasing the next gig.",
    "If it has a bassline, I'm in.",
    "Jazz in the morning, techno at night.",
    "Amateur guitarist, professional listener.",
    "Playlist curator for friends who never asked.",
    "Here for the live shows and the late-night drives.",
    "Record shop Saturdays. Ask me about {artist}.",
    "Currently obsessed with {artist}.",
    "I post the song that was playing. That's it, that's the bio.",
    "Festival season is a state of mind ☀️",
    "Sound engineer. Headphones are a personality trait.",
    "Classical training, pop heart.",
    "Music is my love language 💜",
    "Radio host at a tiny station nobody listens to (yet).",
    "Dancing badly since 1994.",
)

ARTISTS = (
    "The Paper Lanterns", "Nia Okoro", "Velvet Harbor", "Juno Park", "Midnight Static",
    "Los Hermanos Calavera", "Saltwater Choir", "Ezra Vale", "Kōji & the Night Trains",
    "Amber Coast", "Mira Lund", "Hollow Pines", "Sunday Arcade", "DJ Tembo", "Lila Moreau",
    "Glass Animals Club", "Orchid Tapes", "Benny Blue Quartet", "Sigrún Ólafs", "Neon Tigers",
    "Cassius Rae", "The Low Fidelity", "Rosa Delgado", "Northern Lights Ensemble", "Atlas Echo",
    "Kid Marrow", "Soleil Noir", "The Quiet Riots", "Yasmin Adeyemi", "Copper & Coal",
    "Willow Grey", "Banda Sonora", "Frankie Vance", "Polar Youth", "Mbali Khumalo",
    "The Understudies", "Aurélie Blanc", "Static Bloom", "Tokyo Rooftops", "Harbor Lights",
    "Ivy League Dropouts", "Mo Kenji", "Crimson Satellites", "Olive Tree Radio", "Dana Reyes",
    "The Midnight Bakers", "Luz del Norte", "Rust Belt Saints", "Pale Honey Sun", "Theo Marsh",
    "Wild Orchard", "Lagos Underground", "Emi Watanabe", "The Velvet Undertow", "Marlow Keys",
    "Cosmic Drift", "Brass Menagerie", "Ana Sofía Cruz", "Ghost Radio", "Selma Berg",
    "Parallel Youth", "Bongo Theory", "Kaleidoscope Kids", "Noor", "The Slow Tides",
)

TITLE_ADJECTIVES = (
    "Golden", "Midnight", "Electric", "Silver", "Neon", "Paper", "Velvet", "Broken", "Wild",
    "Quiet", "Endless", "Lucky", "Secret", "Crimson", "Lonely", "Summer", "Winter", "Fading",
    "Hollow", "Burning", "Sleepless", "Northern", "Tender", "Restless", "Cosmic", "Slow",
)
TITLE_NOUNS = (
    "Hour", "Rain", "Heart", "Lights", "Ocean", "Highway", "Dreams", "Fire", "River", "Static",
    "Satellite", "Garden", "Skyline", "Echoes", "Horizon", "Postcards", "Letters", "Shadows",
    "Signals", "Tides", "Streets", "Bloom", "Motel", "Radio", "Weekend", "Waves", "Youth",
)
TITLE_PHRASES = (
    "Take Me Home", "Dancing in the Kitchen", "Call Me When You Land", "Let It Burn",
    "Nobody Knows", "Keep the Lights On", "All Night Long", "Back to Lisbon", "Say It Again",
    "Slow Motion", "Over the Bridge", "Hold Still", "Another Sunrise", "Wish You Were Here Tonight",
    "Ten Thousand Miles", "Sweet Surrender", "We Were Young", "Out of Reach", "Ghost Town Love",
    "Café au Lait", "Mañana", "Sakura Drive", "Don't Look Down", "Gravity", "Paper Planes Again",
    "The Long Way Round", "Second Chances", "Fever Dream", "Run Run Run", "Starlight Motel",
)
TITLE_DECORATIONS = (
    " (Acoustic)", " - Remastered 2011", " (Live at the Roundhouse)", " (Radio Edit)",
    " (feat. {other})", " (Extended Mix)", " - Demo", " (Night Version)",
)

ALBUM_PATTERNS = (
    "{adj} {noun}", "{noun}", "Songs for {noun}", "{adj} Days", "Live in {city}",
    "The {noun} Sessions", "{noun} & {noun2}", "Volume {num}", "{adj}", "Letters from {city}",
)

# name, latitude, longitude, has a foursquare id
PLACES = (
    ("O2 Academy Brixton, London", 51.4652, -0.1148, True),
    ("Royal Albert Hall, London", 51.5009, -0.1774, True),
    ("Ronnie Scott's, London", 51.5133, -0.1318, True),
    ("Paradiso, Amsterdam", 52.3622, 4.8838, True),
    ("Melkweg, Amsterdam", 52.3648, 4.8812, True),
    ("Berghain, Berlin", 52.5111, 13.4430, True),
    ("Tempodrom, Berlin", 52.5007, 13.3804, False),
    ("Olympia, Paris", 48.8702, 2.3283, True),
    ("La Cigale, Paris", 48.8823, 2.3404, True),
    ("Razzmatazz, Barcelona", 41.3977, 2.1912, True),
    ("Primavera Sound, Parc del Fòrum", 41.4108, 2.2262, False),
    ("Coliseu dos Recreios, Lisbon", 38.7155, -9.1411, True),
    ("Blue Note, New York", 40.7308, -74.0006, True),
    ("Madison Square Garden, New York", 40.7505, -73.9934, True),
    ("Brooklyn Steel, New York", 40.7193, -73.9390, True),
    ("Central Park, New York", 40.7812, -73.9665, False),
    ("Red Rocks Amphitheatre, Morrison", 39.6654, -105.2057, True),
    ("Hollywood Bowl, Los Angeles", 34.1122, -118.3391, True),
    ("The Fillmore, San Francisco", 37.7840, -122.4330, True),
    ("Ryman Auditorium, Nashville", 36.1612, -86.7785, True),
    ("Preservation Hall, New Orleans", 29.9583, -90.0653, True),
    ("Massey Hall, Toronto", 43.6541, -79.3789, True),
    ("Sydney Opera House", -33.8568, 151.2153, True),
    ("Forum Melbourne", -37.8162, 144.9690, False),
    ("Blue Note Tokyo", 35.6613, 139.7153, True),
    ("Shibuya Crossing, Tokyo", 35.6595, 139.7005, False),
    ("Circo Voador, Rio de Janeiro", -22.9133, -43.1800, True),
    ("Copacabana Beach, Rio de Janeiro", -22.9711, -43.1822, False),
    ("Teatro Colón, Buenos Aires", -34.6011, -58.3834, True),
    ("Kalakuta Museum, Lagos", 6.5770, 3.3490, False),
    ("The Orbit, Johannesburg", -26.1929, 28.0336, True),
    ("Vega, Copenhagen", 55.6681, 12.5426, True),
    ("Tivoli Gardens, Copenhagen", 55.6737, 12.5681, False),
    ("Ancienne Belgique, Brussels", 50.8481, 4.3487, True),
    ("Roundhouse, London", 51.5432, -0.1519, True),
    ("Glastonbury Festival, Pilton", 51.1543, -2.5855, False),
    ("Arena di Verona", 45.4390, 10.9944, True),
    ("Tipitina's, New Orleans", 29.9177, -90.1031, True),
    ("Fabric, London", 51.5196, -0.1025, True),
    ("Hamburg Elbphilharmonie", 53.5413, 9.9841, True),
)

# Where the seed's everyday places cluster: a centre and how far from it (km, one standard
# deviation) its bars, parks, record shops and corners spread.
CITY_CENTRES = (
    ("London", 51.5072, -0.1276, 6.0),
    ("Berlin", 52.5200, 13.4050, 5.0),
    ("Lisbon", 38.7223, -9.1393, 3.0),
    ("Lagos", 6.5244, 3.3792, 6.0),
    ("Tokyo", 35.6762, 139.6503, 8.0),
    ("Brooklyn", 40.6782, -73.9442, 4.0),
    ("Paris", 48.8566, 2.3522, 4.0),
    ("Amsterdam", 52.3676, 4.9041, 2.5),
    ("Barcelona", 41.3874, 2.1686, 3.0),
    ("Toronto", 43.6532, -79.3832, 5.0),
    ("Melbourne", -37.8136, 144.9631, 6.0),
    ("São Paulo", -23.5558, -46.6396, 7.0),
    ("Nairobi", -1.2921, 36.8219, 4.0),
    ("Seoul", 37.5665, 126.9780, 6.0),
    ("Mexico City", 19.4326, -99.1332, 6.0),
)
VENUE_KINDS = (
    "Bar", "Café", "Records", "Park", "Club", "Rooftop", "Market", "Station", "Diner",
    "Studio", "Garden", "Pier", "Hall", "Corner", "Bookshop", "Taquería", "Kissa", "Beach",
)
VENUE_WORDS = (
    "Nova", "Luna", "Blue", "Velvet", "Echo", "Golden", "Little", "Old Town", "Sunset",
    "Harbour", "Moon", "Paloma", "Orbit", "Vinyl", "Copper", "Electric", "Hidden", "Northside",
    "Maple", "Cedar", "Lotus", "Fox", "Atlas", "Kiosk", "Aurora", "Delta", "Riverside",
)

CITIES = (
    "London", "Berlin", "Lisbon", "Lagos", "Tokyo", "Brooklyn", "Paris", "Amsterdam",
    "Barcelona", "Toronto", "Melbourne", "São Paulo", "Nairobi", "Seoul", "Mexico City",
)

CAPTIONS = (
    "{track} on repeat all week.",
    "This one hits different at {place_short}.",
    "Can't stop listening to {artist} 🎧",
    "Sunday morning soundtrack ☕",
    "Found this gem in a record shop today.",
    "{artist} live was unreal. Still buzzing.",
    "The bridge at 2:14 😭",
    "Road trip playlist essential.",
    "Whoever was DJing at {place_short} tonight: thank you.",
    "Late night drive, windows down, {track}.",
    "Song of the summer, no contest.",
    "Been waiting years to hear this live.",
    "My dad played this every Saturday.",
    "Rain outside, {artist} inside.",
    "If you only listen to one song today, make it {track}.",
    "Post-gig glow ✨",
    "Coffee, sunshine and {artist}.",
    "First dance song? Maybe 👀",
    "This album taught me how to cook.",
    "Headphones on, world off.",
    "Caught the sunset and this came on shuffle. Perfect timing.",
    "Throwback to this one.",
    "Lyrics of the year, honestly.",
    "Somebody please tell me more songs like this.",
    "The whole crowd sang along to {track}.",
    "Soundtrack to my commute this month.",
    "Goosebumps every single time.",
    "New favourite. Thanks for the rec @{friend}!",
)

# Extra sentences appended to some captions so lengths vary up to the 500-character limit.
CAPTION_EXTRAS = (
    "The production on this is so warm, you can hear the room.",
    "I keep noticing new details in the mix every time I play it.",
    "Saw them in a tiny club years ago and now they're selling out arenas.",
    "Adding it to the Sunday playlist right away.",
    "The drummer deserves a raise.",
    "Tell me I'm not the only one who cried at the last chorus.",
    "Vinyl sounds even better, by the way.",
    "My neighbours have probably heard it twenty times this week.",
)

COMMENTS = (
    "this song 🔥",
    "where is this??",
    "adding to my playlist right now",
    "@{friend} you need to hear this",
    "omg I was there too!",
    "such a good track",
    "the vibes 😍",
    "haven't heard this in years, thanks for the reminder",
    "is this from the new album?",
    "underrated",
    "jealous!!",
    "I saw them last year, incredible live",
    "best song on the record imo",
    "take me with you next time",
    "the bassline though",
    "great pic 📸",
    "Love {artist}. Have you heard their earlier stuff? The first album is a masterpiece",
    "added ✅",
    "this is my ringtone lol",
    "need more recs like this",
    "wow",
    "💜💜💜",
)

COMMENT_EXTRAS = (
    "Honestly this whole album got me through a rough winter.",
    "We should go together next time they tour.",
    "The live version is even better, the crowd goes wild at the end.",
    "Also the music video is worth watching, it was shot in one take.",
)

PLAYLIST_TITLES = (
    "Sunday Morning Coffee", "Late night drives", "gym 💪", "songs from postcards",
    "Summer '25", "Road trip: Lisbon → Porto", "chill", "Focus", "Dinner party",
    "{first}'s favourites", "Rainy day", "Kitchen disco", "Heartbreak hotel", "Throwbacks",
    "Running 5k", "Wedding ideas", "Study beats", "On repeat", "Discovered this month",
    "Songs my friends sent me", "Golden hour", "Festival warm-up", "Sleep", "Deep work",
    "Jazz for the soul", "Bangers only", "Indie gems", "Morning run", "Cooking with {first}",
    "Airport lounge", "Sad bops", "Best of {city}", "Vinyl wishlist", "2 AM thoughts",
    "Party starters", "Slow dance", "Car karaoke", "Old school", "For the train", "Hidden tracks",
)

PLAYLIST_DESCRIPTIONS = (
    "",
    "",
    "",
    "Songs I saved from your postcards.",
    "Updated whenever I find something good.",
    "No skips allowed.",
    "For the long way home.",
    "Collab with friends, add your favourites!",
    "Mostly {artist}, honestly.",
    "What I'm listening to in {city} lately.",
)

EMOJIS = ("🎶", "🎧", "✨", "🔥", "💜", "🌅", "🌧️", "🚗", "☕", "🕺")
# fmt: on
