/// Names, words and mail domains the generator draws people from. ASCII only (accents transliterated),
/// so that lower-casing agrees between Swift and PostgreSQL in any locale.
enum NameCatalog {
    static let firstNames = [
        "james", "mary", "john", "patricia", "robert", "jennifer", "michael", "linda", "william", "elizabeth",
        "david", "barbara", "richard", "susan", "joseph", "jessica", "thomas", "sarah", "charles", "karen",
        "daniel", "nancy", "matthew", "lisa", "anthony", "betty", "mark", "margaret", "donald", "sandra",
        "steven", "ashley", "paul", "emily", "andrew", "donna", "joshua", "michelle", "kenneth", "carol",
        "kevin", "amanda", "brian", "melissa", "george", "deborah", "timothy", "stephanie", "ronald", "rebecca",
        "maria", "jose", "juan", "carmen", "luis", "ana", "carlos", "lucia", "javier", "sofia",
        "miguel", "isabel", "pablo", "elena", "diego", "paula", "alejandro", "marta", "fernando", "laura",
        "giulia", "marco", "francesca", "luca", "chiara", "matteo", "alessandro", "valentina", "lorenzo", "sara",
        "hans", "anna", "lukas", "lena", "jonas", "leonie", "felix", "hannah", "max", "mia",
        "pierre", "camille", "louis", "chloe", "hugo", "manon", "jules", "ines", "arthur", "lea",
        "olga", "ivan", "natalia", "dmitri", "tatiana", "sergei", "irina", "alexei", "svetlana", "nikolai",
        "wei", "li", "jing", "hao", "xin", "yan", "ming", "lei", "ying", "jun",
        "yuki", "haruto", "sakura", "ren", "aoi", "sota", "hina", "yuto", "mei", "kenji",
        "priya", "arjun", "ananya", "rahul", "divya", "vikram", "kavya", "rohan", "sneha", "aditya",
        "mohammed", "fatima", "ahmed", "aisha", "omar", "layla", "yusuf", "mariam", "ali", "zainab",
        "chidi", "amara", "kwame", "nia", "tunde", "zola", "kofi", "adaeze", "sipho", "thandiwe",
        "joao", "beatriz", "rafael", "mariana", "tiago", "leticia", "bruno", "gabriela", "caio", "larissa",
        "erik", "ingrid", "lars", "astrid", "nils", "freya", "sven", "elin", "oskar", "maja",
    ]

    static let lastNames = [
        "smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez", "martinez",
        "hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas", "taylor", "moore", "jackson", "martin",
        "lee", "perez", "thompson", "white", "harris", "sanchez", "clark", "ramirez", "lewis", "robinson",
        "walker", "young", "allen", "king", "wright", "scott", "torres", "nguyen", "hill", "flores",
        "green", "adams", "nelson", "baker", "hall", "rivera", "campbell", "mitchell", "carter", "roberts",
        "rossi", "russo", "ferrari", "esposito", "bianchi", "romano", "colombo", "ricci", "marino", "greco",
        "muller", "schmidt", "schneider", "fischer", "weber", "meyer", "wagner", "becker", "schulz", "hoffmann",
        "dubois", "moreau", "laurent", "simon", "michel", "lefebvre", "leroy", "roux", "bertrand", "fournier",
        "ivanov", "smirnov", "kuznetsov", "popov", "volkov", "sokolov", "lebedev", "kozlov", "novikov", "morozov",
        "wang", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu",
        "sato", "suzuki", "takahashi", "tanaka", "watanabe", "ito", "yamamoto", "nakamura", "kobayashi", "kato",
        "sharma", "patel", "singh", "kumar", "gupta", "reddy", "iyer", "nair", "joshi", "mehta",
        "hassan", "hussein", "khan", "rahman", "abdullah", "haddad", "nasser", "karimi", "farouk", "saleh",
        "okafor", "mensah", "adeyemi", "okonkwo", "mwangi", "ndlovu", "diallo", "traore", "boateng", "nkosi",
        "silva", "santos", "oliveira", "souza", "pereira", "costa", "carvalho", "almeida", "ferreira", "ribeiro",
        "johansson", "andersson", "nilsson", "larsson", "eriksson", "hansen", "jensen", "nielsen", "berg", "lindqvist",
        "kowalski", "nowak", "wisniewski", "novak", "horvat", "kovacs", "nagy", "popescu", "papadopoulos", "yilmaz",
    ]

    /// Mail domains with weights: big webmail providers, national providers, and institutions.
    static let domains: [(String, Int)] = [
        ("gmail.com", 30), ("outlook.com", 9), ("hotmail.com", 8), ("yahoo.com", 8), ("icloud.com", 4),
        ("proton.me", 2), ("gmx.de", 3), ("web.de", 2), ("orange.fr", 2), ("libero.it", 2),
        ("yandex.ru", 2), ("qq.com", 3), ("163.com", 2), ("rediffmail.com", 1), ("uol.com.br", 2),
        ("school.example.edu", 3), ("uni-example.ac.uk", 2), ("college.example.org", 2),
        ("learning.example.net", 2), ("academy.example.com", 2), ("district12.k12.example.us", 1),
        ("moodle.example.org", 1), ("training.example.co", 1),
    ]

    /// Words for usernames that are not made of names.
    static let usernameWords = [
        "teacher", "student", "learner", "tutor", "coach", "maths", "science", "history", "music", "coder",
        "moodler", "elearning", "edtech", "physics", "biology", "chem", "geo", "reader", "writer", "quiz",
        "forum", "course", "campus", "class", "study", "lab", "mentor", "prof", "dev", "admin",
    ]

    /// Usernames of site administrators that are not personal.
    static let siteAdminUsernames = ["admin", "administrator", "moodleadmin", "siteadmin", "webmaster", "lms-admin"]
}
