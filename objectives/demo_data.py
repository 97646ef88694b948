"""The demo organisation: directorates, teams, people and the 2024/25 business plan's objectives.

Plain data only; objectives/demo.py turns it into rows. Stories say how each team's confidence moves
from April to October. At mid-year the organisation reads as most do: four shared initiatives in
danger, each for a different reason (a Red view the data confirm, two teams and the data agreeing,
a team gone silent, a Green view the data contradict), several to watch, the rest on track.
"""

DIRECTORATES = [
    ("Digital", "DIG"),
    ("Operations", "OPS"),
    ("Policy", "POL"),
    ("Primary care", "PC"),
    ("Urgent and emergency care", "UEC"),
]

# name, directorate code, kind, lead username, lead full name
TEAMS = [
    ("NHS 111 online", "DIG", "digital", "lead", "Priya Shah"),
    ("Directory of Services", "DIG", "digital", "lead", "Priya Shah"),
    ("Using data to improve", "DIG", "digital", "okafor", "Chidi Okafor"),
    ("Maternity digital", "DIG", "digital", "evans", "Rhiannon Evans"),
    ("NHS App", "DIG", "digital", "nowak", "Marta Nowak"),
    ("Regional performance", "OPS", "operational", "hughes", "Gareth Hughes"),
    ("Elective recovery operations", "OPS", "operational", "adeyemi", "Tola Adeyemi"),
    ("Workforce planning", "OPS", "operational", "campbell", "Fiona Campbell"),
    ("Health inequalities policy", "POL", "policy", "begum", "Ruksana Begum"),
    ("Digital policy and standards", "POL", "policy", "wright", "Tom Wright"),
    ("Primary care policy", "PC", "policy", "oconnor", "Siobhan O'Connor"),
    ("GP access improvement", "PC", "operational", "patel", "Anil Patel"),
    ("Urgent and emergency care operations", "UEC", "operational", "murray", "Kirsty Murray"),
    ("Ambulance flow", "UEC", "operational", "lewis", "Owen Lewis"),
]

# Extra team members (username, full name, team)
MEMBERS = [
    ("member", "Sam Taylor", "NHS 111 online"),
    ("ali", "Yusuf Ali", "Urgent and emergency care operations"),
    ("chen", "Li Chen", "Using data to improve"),
]

# Stories: ratings from April (month 1) to October (month 7). None = did not report that month.
G, AG, A, AR, R = "green", "amber_green", "amber", "amber_red", "red"
STORIES = {
    "steady": [G, G, G, G, G, G, G],
    "steady_ag": [AG, AG, G, AG, AG, AG, AG],
    "deteriorating": [G, AG, AG, A, A, AR, R],
    "slipping": [AG, AG, A, A, A, AR, AR],
    "recovering": [A, A, AG, AG, G, G, G],
    "silent": [AG, AG, A, A, None, None, None],
    "late_silent": [G, G, AG, AG, AG, AG, None],
    "worried": [A, A, AR, AR, A, AR, AR],
    "optimistic": [G, G, G, G, G, G, G],
    "wobble": [AG, A, AG, A, AG, A, A],
}

NARRATIVE = {
    G: (
        "Delivery is on plan: {work} is moving as agreed and the team has what it needs.",
        "Nothing significant. We are watching {risk} but it is under control.",
    ),
    AG: (
        "Most of {work} is on track and partners are engaged.",
        "{risk} needs steady attention this month so it does not become an issue.",
    ),
    A: (
        "Some progress on {work}, with good engagement from the frontline.",
        "{risk} is now affecting the timetable; we need a decision from the programme board.",
    ),
    AR: (
        "The core team is still committed to {work}.",
        "{risk} has not been resolved and two milestones have slipped. Without extra capacity "
        "we will not deliver this year.",
    ),
    R: (
        "Little to report: work on {work} has largely stopped.",
        "{risk} means this cannot be delivered as planned. We need to rebaseline or descope.",
    ),
}

# ref, title, lead team, [(contributing team, commitment, story)], lead story, extras
OBJECTIVES = [
    (
        "UEC-01",
        "Increase the proportion of NHS 111 calls where the first recommended service is taken "
        "up by the caller",
        "NHS 111 online",
        "optimistic",
        [
            (
                "Directory of Services",
                "Keep service profiles accurate within 48 hours",
                "steady_ag",
            ),
            (
                "Urgent and emergency care operations",
                "Run monthly uptake reviews with integrated care boards",
                "wobble",
            ),
        ],
        {
            "work": "the service-recommendation changes",
            "risk": "Directory data quality",
            "measure": (
                "Callers taking up the first recommended service",
                "%",
                "higher",
                62.0,
                70.0,
            ),
        },
    ),
    (
        "DIG-01",
        "Make Directory of Services profiles self-maintainable by providers",
        "Directory of Services",
        "deteriorating",
        [("NHS 111 online", "Test the provider editing journey with 111 call handlers", "steady")],
        {"work": "the provider self-service editor", "risk": "Supplier capacity"},
    ),
    (
        "DIG-02",
        "Publish a single national urgent care data dashboard for integrated care boards",
        "Using data to improve",
        "steady_ag",
        [
            ("Urgent and emergency care operations", "Agree metric definitions", "steady"),
            ("Regional performance", "Share regional data feeds monthly", "silent"),
        ],
        {"work": "the dashboard build", "risk": "Late regional data feeds"},
    ),
    (
        "DIG-03",
        "Roll out digital maternity notes to every maternity unit in England",
        "Maternity digital",
        "slipping",
        [
            (
                "Health inequalities policy",
                "Make sure the notes work for women with low digital skills",
                "steady_ag",
            ),
            ("Digital policy and standards", "Publish the maternity data standard", "recovering"),
        ],
        {
            "work": "trust onboarding",
            "risk": "Trust IT readiness",
            "measure": ("Maternity units live with digital notes", "units", "higher", 40.0, 120.0),
        },
    ),
    (
        "DIG-04",
        "Let patients book and manage hospital appointments in the NHS App",
        "NHS App",
        "recovering",
        [("Elective recovery operations", "Connect waiting-list data from trusts", "wobble")],
        {"work": "the booking integration", "risk": "Patient administration system variation"},
    ),
    (
        "DIG-05",
        "Reduce avoidable 111 online journeys that end in an ambulance dispatch",
        "NHS 111 online",
        "steady_ag",
        [("Ambulance flow", "Validate category 3 and 4 dispositions clinically", "deteriorating")],
        {
            "work": "the clinical validation pilot",
            "risk": "Clinician recruitment",
            "measure": ("111 online ambulance dispositions", "%", "lower", 11.5, 9.0),
        },
    ),
    (
        "DIG-06",
        "Adopt the NHS service standard across all national digital services",
        "Digital policy and standards",
        "steady",
        [
            ("NHS App", "Complete service assessments for every release", "steady"),
            ("Directory of Services", "Pass a beta assessment", "steady_ag"),
        ],
        {"work": "service assessments", "risk": "Assessor availability"},
    ),
    (
        "DIG-07",
        "Open access to de-identified national datasets for approved researchers",
        "Using data to improve",
        "wobble",
        [
            (
                "Digital policy and standards",
                "Agree the access policy with the data guardian",
                "late_silent",
            )
        ],
        {"work": "the secure data environment", "risk": "Information governance approvals"},
    ),
    (
        "OPS-01",
        "Cut the elective waiting list for patients waiting over 65 weeks to zero",
        "Elective recovery operations",
        "worried",
        [
            ("Regional performance", "Run fortnightly tiering meetings with trusts", "slipping"),
            ("NHS App", "Offer patients the choice to move provider", "steady"),
        ],
        {
            "work": "long-wait validation",
            "risk": "Industrial action",
            "measure": ("Patients waiting more than 65 weeks", "patients", "lower", 50000.0, 0.0),
        },
    ),
    (
        "OPS-02",
        "Publish a workforce plan for urgent care clinical advisers",
        "Workforce planning",
        "steady_ag",
        [("Urgent and emergency care operations", "Model demand by hour of day", "steady")],
        {"work": "demand modelling", "risk": "Data from providers"},
    ),
    (
        "OPS-03",
        "Bring regional performance reporting onto one monthly cycle",
        "Regional performance",
        "steady_ag",
        [],
        {"work": "the reporting calendar", "risk": "Regional capacity"},
    ),
    (
        "PC-01",
        "Make it easier for patients to contact their GP practice",
        "GP access improvement",
        "steady_ag",
        [
            ("Primary care policy", "Update the GP contract guidance", "steady"),
            ("NHS App", "Add practice messaging to the app", "slipping"),
        ],
        {
            "work": "cloud telephony roll-out",
            "risk": "Practice engagement",
            "measure": (
                "Patients satisfied with contacting their practice",
                "%",
                "higher",
                49.0,
                60.0,
            ),
        },
    ),
    (
        "PC-02",
        "Expand community pharmacy consultations for minor illness",
        "Primary care policy",
        "recovering",
        [
            ("NHS 111 online", "Route minor illness to pharmacy in 111 online", "steady_ag"),
            ("Directory of Services", "Profile every participating pharmacy", "optimistic"),
        ],
        {"work": "Pharmacy First", "risk": "Pharmacy sign-up"},
    ),
    (
        "PC-03",
        "Reduce unwarranted variation in GP appointment data recording",
        "GP access improvement",
        "wobble",
        [("Using data to improve", "Publish practice-level appointment data", "steady_ag")],
        {"work": "data quality support", "risk": "System supplier changes"},
    ),
    (
        "POL-01",
        "Narrow the gap in digital access for people in the most deprived areas",
        "Health inequalities policy",
        "slipping",
        [
            ("NHS App", "Test with digitally excluded groups", "steady_ag"),
            ("Primary care policy", "Fund practice digital champions", "wobble"),
        ],
        {"work": "the digital inclusion framework", "risk": "Funding confirmation"},
    ),
    (
        "POL-02",
        "Agree a national standard for sharing care records across urgent care",
        "Digital policy and standards",
        "steady_ag",
        [
            (
                "Urgent and emergency care operations",
                "Pilot the standard in two regions",
                "steady_ag",
            )
        ],
        {"work": "the record-sharing standard", "risk": "Legal review"},
    ),
    (
        "UEC-02",
        "Reduce ambulance handover delays over 60 minutes",
        "Ambulance flow",
        "deteriorating",
        [
            ("Urgent and emergency care operations", "Escalate long handovers daily", "optimistic"),
            ("Regional performance", "Share handover data with regions", "steady_ag"),
        ],
        {
            "work": "the handover improvement programme",
            "risk": "Winter bed capacity",
            "measure": ("Handovers over 60 minutes", "handovers", "lower", 14000.0, 8000.0),
        },
    ),
    (
        "UEC-03",
        "Expand same-day emergency care to 12 hours a day, 7 days a week",
        "Urgent and emergency care operations",
        "steady_ag",
        [("Workforce planning", "Staff the extended rotas", "wobble")],
        {"work": "same-day emergency care expansion", "risk": "Rota gaps"},
    ),
    (
        "UEC-04",
        "Increase the number of virtual ward beds in use",
        "Urgent and emergency care operations",
        "wobble",
        [],
        {"work": "virtual ward onboarding", "risk": "Clinical staffing"},
    ),
    (
        "DIG-08",
        "Retire the legacy 111 content management system",
        "NHS 111 online",
        "steady",
        [],
        {"work": "content migration", "risk": "Content freeze"},
    ),
    (
        "DIG-09",
        "Replace the Directory of Services search engine",
        "Directory of Services",
        "slipping",
        [],
        {"work": "the search replacement", "risk": "Performance testing"},
    ),
    (
        "DIG-10",
        "Publish open data on NHS App use every month",
        "NHS App",
        "steady",
        [],
        {"work": "monthly publications", "risk": "Statistics sign-off"},
    ),
    (
        "DIG-11",
        "Add antenatal appointments to the maternity record",
        "Maternity digital",
        "steady_ag",
        [],
        {"work": "appointment integration", "risk": "Trust data feeds"},
    ),
    (
        "DIG-12",
        "Train 500 analysts in statistical process control",
        "Using data to improve",
        "recovering",
        [],
        {"work": "Making Data Count training", "risk": "Trainer availability"},
    ),
    (
        "OPS-04",
        "Validate every waiting list over 52 weeks",
        "Elective recovery operations",
        "steady_ag",
        [],
        {"work": "list validation", "risk": "Administrative capacity"},
    ),
    (
        "OPS-05",
        "Agree a winter staffing plan with every region",
        "Workforce planning",
        "steady_ag",
        [],
        {"work": "winter staffing", "risk": "Agency spend controls"},
    ),
    (
        "POL-03",
        "Publish guidance on AI scribes in general practice",
        "Digital policy and standards",
        "steady",
        [],
        {"work": "the guidance", "risk": "Regulator alignment"},
    ),
    (
        "POL-04",
        "Review the health inequalities impact of online triage",
        "Health inequalities policy",
        "steady_ag",
        [],
        {"work": "the impact review", "risk": "Evidence gaps"},
    ),
    (
        "PC-04",
        "Support 1,000 practices to adopt modern general practice access",
        "GP access improvement",
        "steady",
        [],
        {"work": "practice support", "risk": "Practice workload"},
    ),
    (
        "UEC-05",
        "Cut average ambulance response times for category 2 calls to 30 minutes",
        "Ambulance flow",
        "wobble",
        [],
        {"work": "response time improvement", "risk": "Hospital flow"},
    ),
]
