import PostgresCDC

/// The two Moodle source tables the generator fills, as the demo and tests create them.
public enum GeneratorSchema {
    public static let communityTable = QualifiedName(schema: "public", table: "CommunityUsers")
    public static let sitesTable = QualifiedName(schema: "public", table: "SitesUsers")

    /// Creates `public."CommunityUsers"` when missing.
    public static let communitySQL = """
        CREATE TABLE IF NOT EXISTS public."CommunityUsers"(id bigserial PRIMARY KEY, email varchar(255) NOT NULL, \
        username varchar(100) NOT NULL, registration_timestamp varchar(64));
        """

    /// Creates `public."SitesUsers"` when missing.
    public static let sitesSQL = """
        CREATE TABLE IF NOT EXISTS public."SitesUsers"(id bigserial PRIMARY KEY, admin_email varchar(255) NOT NULL, \
        username varchar(100) NOT NULL, registration_timestamp varchar(64));
        """
}

/// One of the two tables, with what the generator needs to know to write it.
enum GeneratorSide: CaseIterable {
    case community, sites

    var table: QualifiedName {
        switch self {
        case .community: GeneratorSchema.communityTable
        case .sites: GeneratorSchema.sitesTable
        }
    }

    var schemaSQL: String {
        switch self {
        case .community: GeneratorSchema.communitySQL
        case .sites: GeneratorSchema.sitesSQL
        }
    }

    var emailColumn: String {
        switch self {
        case .community: "email"
        case .sites: "admin_email"
        }
    }

    var name: String {
        switch self {
        case .community: "CommunityUsers"
        case .sites: "SitesUsers"
        }
    }
}

/// The proportions behind the data, kept together with their reasons.
enum GeneratorMix {
    /// Sites whose administrator already runs an earlier site.
    static let reusedAdminShare = 0.1
    /// Site rows of a community administrator whose admin_email is typed differently (case, spaces).
    static let communityAdminVariantShare = 0.6
    /// The same for administrators who are not community users.
    static let otherAdminVariantShare = 0.15
    /// Site rows whose username is a generic one such as `admin` rather than the person's.
    static let genericAdminUsernameShare = 0.35

    /// Continuous phase: which table a change touches (more people than sites).
    static let sideWeights: [(GeneratorSide, Int)] = [(.community, 65), (.sites, 35)]
    /// Continuous phase: what kind of change it is.
    static let kindWeights: [(ChangeKind, Int)] = [(.insert, 60), (.update, 30), (.delete, 10)]
    /// Continuous phase: what an update changes.
    static let updateWeights: [(UpdateKind, Int)] = [
        (.cosmeticEmail, 30), (.newEmail, 25), (.joinOtherSide, 10), (.moveTimestamp, 35),
    ]
    /// New rows of the continuous phase are registered up to this many seconds before "now".
    static let recentJitterSeconds = 3_600
}

enum ChangeKind { case insert, update, delete }

enum UpdateKind {
    /// The same address typed differently: only case or surrounding spaces change.
    case cosmeticEmail
    /// A new address nobody else has.
    case newEmail
    /// Community: take the address of a site administrator; sites: of a community user.
    case joinOtherSide
    /// The registration time moves, usually to another week.
    case moveTimestamp
}
