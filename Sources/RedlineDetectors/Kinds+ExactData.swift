extension DetectorKind {
    /// `exact_data`: values of one row of the organisation's own customer table, found together
    /// (the table is hashed into an index by `redline edm build`; RedlineEngine runs the matcher).
    public static func exactData(label: String) -> DetectorKind {
        DetectorKind(
            id: "exact_data",
            summary: "Exact data match: values of one row of your own customer table (an index built with 'redline edm build': keyed fingerprints only) "
                + "found together, a primary value (account number, e-mail, phone) with corroborating values of the same row (name, postcode, date of birth) nearby.",
            source: .external,
            refine: { _, _ in [] },
            defaultKeywords: [],
            requiresContextByDefault: false,
            defaultLabel: label,
            maskKeepsLastDigits: 0,
            matchExamples: [],
            noMatchExamples: [])
    }

    /// What `redline detectors` says about `exact_data`, and an example configuration.
    public static let exactDataDocumentation = (
        id: "exact_data",
        summary: exactData(label: "[CUSTOMER DATA]").summary,
        example: "kind: exact_data, index: customers.edm, primary: [customer_id, email, phone], corroborate: [full_name, postcode, date_of_birth], min_corroborating: 1, window: 300"
    )
}
