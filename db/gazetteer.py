"""Country codes (ISO 3166-1 alpha-2) and STIX regions (``region-ov``) for place names.

A STIX location needs a region, a country or coordinates, none of which the knowledge base
records; this table lets the STIX export find them from a place's names. The regions are
the United Nations geoscheme's sub-regions, which is what STIX's region vocabulary follows.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["REGIONS", "country_of", "region_of"]

# region-ov value: "CODE Name, CODE Name, ..." (the common English short name).
_COUNTRIES = {
    "southern-asia": "AF Afghanistan, BD Bangladesh, BT Bhutan, IN India, IR Iran, MV Maldives, NP Nepal, "
                     "PK Pakistan, LK Sri Lanka",
    "central-asia": "KZ Kazakhstan, KG Kyrgyzstan, TJ Tajikistan, TM Turkmenistan, UZ Uzbekistan",
    "western-asia": "AM Armenia, AZ Azerbaijan, BH Bahrain, CY Cyprus, GE Georgia, IQ Iraq, IL Israel, JO Jordan, "
                    "KW Kuwait, LB Lebanon, OM Oman, QA Qatar, SA Saudi Arabia, PS Palestine, SY Syria, TR Türkiye, "
                    "AE United Arab Emirates, YE Yemen",
    "eastern-asia": "CN China, HK Hong Kong, MO Macao, JP Japan, KP North Korea, KR South Korea, MN Mongolia, "
                    "TW Taiwan",
    "south-eastern-asia": "BN Brunei, KH Cambodia, ID Indonesia, LA Laos, MY Malaysia, MM Myanmar, PH Philippines, "
                          "SG Singapore, TH Thailand, TL Timor-Leste, VN Vietnam",
    "eastern-europe": "BY Belarus, BG Bulgaria, CZ Czechia, HU Hungary, PL Poland, MD Moldova, RO Romania, "
                      "RU Russia, SK Slovakia, UA Ukraine",
    "northern-europe": "AX Åland Islands, DK Denmark, EE Estonia, FO Faroe Islands, FI Finland, GG Guernsey, "
                       "IS Iceland, IE Ireland, IM Isle of Man, JE Jersey, LV Latvia, LT Lithuania, NO Norway, "
                       "SJ Svalbard and Jan Mayen, SE Sweden, GB United Kingdom",
    "southern-europe": "AL Albania, AD Andorra, BA Bosnia and Herzegovina, HR Croatia, GI Gibraltar, GR Greece, "
                       "VA Holy See, IT Italy, MT Malta, ME Montenegro, MK North Macedonia, PT Portugal, "
                       "SM San Marino, RS Serbia, SI Slovenia, ES Spain",
    "western-europe": "AT Austria, BE Belgium, FR France, DE Germany, LI Liechtenstein, LU Luxembourg, MC Monaco, "
                      "NL Netherlands, CH Switzerland",
    "northern-africa": "DZ Algeria, EG Egypt, LY Libya, MA Morocco, SD Sudan, TN Tunisia, EH Western Sahara",
    "eastern-africa": "IO British Indian Ocean Territory, BI Burundi, KM Comoros, DJ Djibouti, ER Eritrea, "
                      "ET Ethiopia, TF French Southern Territories, KE Kenya, MG Madagascar, MW Malawi, "
                      "MU Mauritius, YT Mayotte, MZ Mozambique, RE Réunion, RW Rwanda, SC Seychelles, SO Somalia, "
                      "SS South Sudan, UG Uganda, TZ Tanzania, ZM Zambia, ZW Zimbabwe",
    "middle-africa": "AO Angola, CM Cameroon, CF Central African Republic, TD Chad, CG Congo, "
                     "CD Democratic Republic of the Congo, GQ Equatorial Guinea, GA Gabon, "
                     "ST Sao Tome and Principe",
    "southern-africa": "BW Botswana, SZ Eswatini, LS Lesotho, NA Namibia, ZA South Africa",
    "western-africa": "BJ Benin, BF Burkina Faso, CV Cabo Verde, CI Côte d'Ivoire, GM Gambia, GH Ghana, GN Guinea, "
                      "GW Guinea-Bissau, LR Liberia, ML Mali, MR Mauritania, NE Niger, NG Nigeria, SH Saint Helena, "
                      "SN Senegal, SL Sierra Leone, TG Togo",
    "caribbean": "AI Anguilla, AG Antigua and Barbuda, AW Aruba, BS Bahamas, BB Barbados, BQ Bonaire, "
                 "VG British Virgin Islands, KY Cayman Islands, CU Cuba, CW Curaçao, DM Dominica, "
                 "DO Dominican Republic, GD Grenada, GP Guadeloupe, HT Haiti, JM Jamaica, MQ Martinique, "
                 "MS Montserrat, PR Puerto Rico, BL Saint Barthélemy, KN Saint Kitts and Nevis, LC Saint Lucia, "
                 "MF Saint Martin, VC Saint Vincent and the Grenadines, SX Sint Maarten, TT Trinidad and Tobago, "
                 "TC Turks and Caicos Islands, VI United States Virgin Islands",
    "central-america": "BZ Belize, CR Costa Rica, SV El Salvador, GT Guatemala, HN Honduras, MX Mexico, "
                       "NI Nicaragua, PA Panama",
    "south-america": "AR Argentina, BO Bolivia, BV Bouvet Island, BR Brazil, CL Chile, CO Colombia, EC Ecuador, "
                     "FK Falkland Islands, GF French Guiana, GY Guyana, PY Paraguay, PE Peru, "
                     "GS South Georgia and the South Sandwich Islands, SR Suriname, UY Uruguay, VE Venezuela",
    "northern-america": "BM Bermuda, CA Canada, GL Greenland, PM Saint Pierre and Miquelon, US United States",
    "australia-new-zealand": "AU Australia, CX Christmas Island, CC Cocos Islands, HM Heard Island and McDonald "
                             "Islands, NZ New Zealand, NF Norfolk Island",
    "melanesia": "FJ Fiji, NC New Caledonia, PG Papua New Guinea, SB Solomon Islands, VU Vanuatu",
    "micronesia": "GU Guam, KI Kiribati, MH Marshall Islands, FM Micronesia, NR Nauru, "
                  "MP Northern Mariana Islands, PW Palau, UM United States Minor Outlying Islands",
    "polynesia": "AS American Samoa, CK Cook Islands, PF French Polynesia, NU Niue, PN Pitcairn, WS Samoa, "
                 "TK Tokelau, TO Tonga, TV Tuvalu, WF Wallis and Futuna",
    "antarctica": "AQ Antarctica",
}

# Other names in common use, by code.
_OTHER_NAMES = {
    "TR": "Turkey", "RU": "Russian Federation", "IR": "Islamic Republic of Iran", "SY": "Syrian Arab Republic",
    "US": "United States of America, USA, U.S.", "GB": "Great Britain, Britain, UK", "CZ": "Czech Republic",
    "CI": "Ivory Coast", "MM": "Burma", "TL": "East Timor", "SZ": "Swaziland", "MK": "Macedonia",
    "CV": "Cape Verde", "VA": "Vatican, Vatican City", "PS": "Palestinian Territories, State of Palestine",
    "KR": "Republic of Korea", "KP": "Democratic People's Republic of Korea, DPRK", "CD": "DR Congo, DRC",
    "CG": "Republic of the Congo", "VN": "Viet Nam", "LA": "Lao People's Democratic Republic",
    "BN": "Brunei Darussalam", "MD": "Republic of Moldova", "TZ": "United Republic of Tanzania",
    "KG": "Kirghizia", "NL": "Holland", "AE": "UAE", "LY": "Libyan Arab Jamahiriya",
}

# Names of regions (not countries) that mean a region-ov value.
_REGION_NAMES = {
    "central-asia": "Central Asia", "southern-asia": "South Asia, Southern Asia, Indian subcontinent",
    "western-asia": "Western Asia, West Asia, Middle East, Levant", "eastern-asia": "East Asia, Eastern Asia",
    "south-eastern-asia": "Southeast Asia, South-East Asia, South-eastern Asia", "asia": "Asia",
    "europe": "Europe", "eastern-europe": "Eastern Europe", "western-europe": "Western Europe",
    "northern-europe": "Northern Europe, Scandinavia", "southern-europe": "Southern Europe, Balkans",
    "africa": "Africa", "northern-africa": "North Africa, Northern Africa, Maghreb",
    "eastern-africa": "East Africa, Eastern Africa, Horn of Africa", "western-africa": "West Africa, Western Africa, "
    "Sahel", "middle-africa": "Central Africa, Middle Africa", "southern-africa": "Southern Africa",
    "americas": "Americas", "northern-america": "North America, Northern America",
    "south-america": "South America", "central-america": "Central America", "caribbean": "Caribbean",
    "latin-america-caribbean": "Latin America", "oceania": "Oceania", "antarctica": "Antarctica",
}

#: The values of STIX 2.1's region vocabulary (region-ov).
REGIONS = frozenset({
    "africa", "eastern-africa", "middle-africa", "northern-africa", "southern-africa", "western-africa",
    "americas", "latin-america-caribbean", "south-america", "caribbean", "central-america", "northern-america",
    "asia", "central-asia", "eastern-asia", "southern-asia", "south-eastern-asia", "western-asia",
    "europe", "eastern-europe", "northern-europe", "southern-europe", "western-europe",
    "oceania", "australia-new-zealand", "melanesia", "micronesia", "polynesia", "antarctica",
})


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    from claimscope.db.folding import fold

    countries: dict[str, tuple[str, str]] = {}
    regions_by_code: dict[str, str] = {}
    for region, listing in _COUNTRIES.items():
        for entry in listing.split(", "):
            code, name = entry.split(" ", 1)
            countries[fold(name)] = (code, region)
            regions_by_code[code] = region
    for code, names in _OTHER_NAMES.items():
        for name in names.split(", "):
            countries.setdefault(fold(name), (code, regions_by_code[code]))
    regions = {fold(name): region for region, names in _REGION_NAMES.items() for name in names.split(", ")}
    return countries, regions


def country_of(name: str) -> tuple[str, str] | None:
    """The ISO 3166-1 alpha-2 code and region of the country called ``name``, or None."""
    from claimscope.db.folding import fold

    return _tables()[0].get(fold(name))


def region_of(name: str) -> str | None:
    """The region-ov value a region's name means (``Central Asia`` -> ``central-asia``), or None."""
    from claimscope.db.folding import fold

    return _tables()[1].get(fold(name))
