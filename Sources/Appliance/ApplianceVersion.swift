/// The appliance's version, as `moodle-pipeline version` prints it.
public enum ApplianceVersion {
    public static let current = "0.1.0"
}
