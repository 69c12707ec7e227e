"""The world's countries by name, short name and demonym, to tell whether a text names one.

A question that asks "Which country …" is answered only by a country: "South Carolina", a state, or "Baoshang
Bank", a bank in one, do not say which country, though both are names. Each entry is the country's name, then the
other ways news writes it (its short names and abbreviations, and the adjective or people: "Iranian lawmakers"
names Iran). Forms are matched as written, capitalised, on word boundaries, a plural "s" allowed ("Iranians").
"""

from __future__ import annotations

import re
from functools import cache

# name|other forms…  (the 193 UN members, the two observer states, Kosovo and Taiwan)
_TABLE = """
Afghanistan|Afghan
Albania|Albanian
Algeria|Algerian
Andorra|Andorran
Angola|Angolan
Antigua and Barbuda|Antiguan
Argentina|Argentine|Argentinian
Armenia|Armenian
Australia|Australian|Aussie
Austria|Austrian
Azerbaijan|Azerbaijani|Azeri
Bahamas|Bahamian
Bahrain|Bahraini
Bangladesh|Bangladeshi
Barbados|Barbadian
Belarus|Belarusian|Belarussian
Belgium|Belgian
Belize|Belizean
Benin|Beninese
Bhutan|Bhutanese
Bolivia|Bolivian
Bosnia and Herzegovina|Bosnia|Bosnian
Botswana|Botswanan|Motswana
Brazil|Brazilian
Brunei|Bruneian
Bulgaria|Bulgarian
Burkina Faso|Burkinabe
Burundi|Burundian
Cambodia|Cambodian
Cameroon|Cameroonian
Canada|Canadian
Cape Verde|Cabo Verde|Cape Verdean
Central African Republic|Central African
Chad|Chadian
Chile|Chilean
China|Chinese|PRC|People's Republic of China
Colombia|Colombian
Comoros|Comoran
Congo|Congolese|Republic of the Congo|Democratic Republic of the Congo|DRC|DR Congo
Costa Rica|Costa Rican
Croatia|Croatian
Cuba|Cuban
Cyprus|Cypriot
Czech Republic|Czechia|Czech
Denmark|Danish|Dane
Djibouti|Djiboutian
Dominica
Dominican Republic|Dominican
Ecuador|Ecuadorian
Egypt|Egyptian
El Salvador|Salvadoran
Equatorial Guinea|Equatoguinean
Eritrea|Eritrean
Estonia|Estonian
Eswatini|Swaziland|Swazi
Ethiopia|Ethiopian
Fiji|Fijian
Finland|Finnish|Finn
France|French
Gabon|Gabonese
Gambia|Gambian
Georgia|Georgian
Germany|German
Ghana|Ghanaian
Greece|Greek
Grenada|Grenadian
Guatemala|Guatemalan
Guinea|Guinean
Guinea-Bissau|Bissau-Guinean
Guyana|Guyanese
Haiti|Haitian
Honduras|Honduran
Hungary|Hungarian
Iceland|Icelandic|Icelander
India|Indian
Indonesia|Indonesian
Iran|Iranian
Iraq|Iraqi
Ireland|Irish
Israel|Israeli
Italy|Italian
Ivory Coast|Cote d'Ivoire|Côte d'Ivoire|Ivorian
Jamaica|Jamaican
Japan|Japanese
Jordan|Jordanian
Kazakhstan|Kazakh
Kenya|Kenyan
Kiribati
Kosovo|Kosovar
Kuwait|Kuwaiti
Kyrgyzstan|Kyrgyz
Laos|Lao|Laotian
Latvia|Latvian
Lebanon|Lebanese
Lesotho|Basotho
Liberia|Liberian
Libya|Libyan
Liechtenstein
Lithuania|Lithuanian
Luxembourg|Luxembourgish
Madagascar|Malagasy
Malawi|Malawian
Malaysia|Malaysian
Maldives|Maldivian
Mali|Malian
Malta|Maltese
Marshall Islands|Marshallese
Mauritania|Mauritanian
Mauritius|Mauritian
Mexico|Mexican
Micronesia|Micronesian
Moldova|Moldovan
Monaco|Monegasque
Mongolia|Mongolian
Montenegro|Montenegrin
Morocco|Moroccan
Mozambique|Mozambican
Myanmar|Burma|Burmese
Namibia|Namibian
Nauru|Nauruan
Nepal|Nepali|Nepalese
Netherlands|Holland|Dutch
New Zealand|New Zealander|Kiwi
Nicaragua|Nicaraguan
Niger|Nigerien
Nigeria|Nigerian
North Korea|North Korean|DPRK
North Macedonia|Macedonia|Macedonian
Norway|Norwegian
Oman|Omani
Pakistan|Pakistani
Palau|Palauan
Palestine|Palestinian
Panama|Panamanian
Papua New Guinea|Papua New Guinean
Paraguay|Paraguayan
Peru|Peruvian
Philippines|Filipino|Philippine
Poland|Polish
Portugal|Portuguese
Qatar|Qatari
Romania|Romanian
Russia|Russian|Russian Federation
Rwanda|Rwandan
Saint Kitts and Nevis|St. Kitts and Nevis
Saint Lucia|St. Lucia|Saint Lucian
Saint Vincent and the Grenadines|St. Vincent and the Grenadines
Samoa|Samoan
San Marino|Sammarinese
Sao Tome and Principe|São Tomé and Príncipe
Saudi Arabia|Saudi
Senegal|Senegalese
Serbia|Serbian|Serb
Seychelles|Seychellois
Sierra Leone|Sierra Leonean
Singapore|Singaporean
Slovakia|Slovak
Slovenia|Slovenian|Slovene
Solomon Islands
Somalia|Somali
South Africa|South African
South Korea|South Korean|Korea|Korean
South Sudan|South Sudanese
Spain|Spanish|Spaniard
Sri Lanka|Sri Lankan
Sudan|Sudanese
Suriname|Surinamese
Sweden|Swedish|Swede
Switzerland|Swiss
Syria|Syrian
Taiwan|Taiwanese
Tajikistan|Tajik
Tanzania|Tanzanian
Thailand|Thai
Timor-Leste|East Timor|Timorese
Togo|Togolese
Tonga|Tongan
Trinidad and Tobago|Trinidadian
Tunisia|Tunisian
Turkey|Turkiye|Türkiye|Turkish|Turk
Turkmenistan|Turkmen
Tuvalu|Tuvaluan
Uganda|Ugandan
Ukraine|Ukrainian
United Arab Emirates|UAE|Emirati
United Kingdom|UK|U.K.|Britain|Great Britain|British|Briton|England|Scotland|Scottish|Wales|Welsh
United States|US|U.S.|USA|U.S.A.|United States of America|America|American
Uruguay|Uruguayan
Uzbekistan|Uzbek
Vanuatu
Vatican|Holy See|Vatican City
Venezuela|Venezuelan
Vietnam|Viet Nam|Vietnamese
Yemen|Yemeni
Zambia|Zambian
Zimbabwe|Zimbabwean
"""


@cache
def _forms() -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every form, longest first ("South Sudan" before "Sudan"), and form -> country."""
    country_of = {}
    for line in _TABLE.strip().splitlines():
        forms = line.split("|")
        for form in forms:
            country_of[form] = forms[0]
    alternatives = "|".join(re.escape(form) for form in sorted(country_of, key=len, reverse=True))
    # a form is a whole word: not "Indiana" for India, not "USAID" for USA; "Iranians" and "Iran's" are Iran
    return re.compile(rf"(?<![\w.])(?:{alternatives})(?=s?(?![\w]|\.\w))"), country_of


def countries_in(text: str) -> set[str]:
    """The countries a text names, each by its name: "Iranian lawmakers urged …" → {"Iran"}."""
    pattern, country_of = _forms()
    return {country_of[match.group()] for match in pattern.finditer(text.replace("’", "'"))}
