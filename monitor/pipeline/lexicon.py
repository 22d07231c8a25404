"""The words that decide whether a sentence reports a claim or a denial.

Entries are regular-expression fragments matched case-insensitively on word boundaries
(`detect` compiles them). Users extend the lexicon with plain phrases through
`Lexicon.extended`, which escapes them, so a config file never has to speak regex.

The lists follow the event coders' lesson (DETECTION-NOTES.md): a verb alone is not a
denial; "deny" takes a report, a claim or a that-clause, while "deny bail" or "reject an
appeal" are something else. Traps are listed explicitly so each can be tested.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

# Verbs that deny by themselves unless their object says otherwise ("denied bail").
_DENY_VERBS = (
    r"den(?:y|ies|ied|ying|ial|ials)",
    r"refut(?:e|es|ed|ing)",
    r"rebut(?:s|ted|ting)?",
    r"debunk(?:s|ed|ing)?",
    r"hits? back",
    r"hitting back",
    # a rebuttal answers ("pushed back on the report", "The company pushed back."); a delay
    # takes a thing or a time ("pushed back the launch", "pushed back to summer")
    r"push(?:es|ed|ing)? back(?=\s+(?:on|against|at|over)\b|\s*[,.;:!?'\"”]|\s*$)",
    r"sho(?:ots?|t) down",
    r"rubbish(?:es|ed|ing)",
    # a ruling that the accused did nothing wrong: "Ad watchdog clears Teravane's campaign of
    # greenwashing"; its subject rules
    r"clear(?:s|ed|ing)? (?:[\w'’-]+\s+){0,5}?of (?:any |all )?(?:wrongdoing|greenwashing|"
    r"misconduct|breach(?:es|ing)?|charges?|allegations?|doping|cheating|fraud|corruption|"
    r"negligence|liability|misleading)",
    r"exonerat(?:es|ed|ing)",
    # ruling a reported thing out denies it ("Government rules out reshuffle"); a player
    # "ruled out of the derby" is injured, and refusing to rule out is a trap
    r"rul(?:e|es|ed|ing) out(?! (?:of|for|until|after|through)\b)",
    r"quash(?:es|ed|ing)?",
    # rebuttal verbs: they presuppose a report and answer it ("laughs off injury talk")
    r"laugh(?:s|ed|ing)? off",
    r"brush(?:es|ed|ing)? off",
    r"play(?:s|ed|ing)? down",
    r"slap(?:s|ped|ping)? down",
    r"pour(?:s|ed|ing)? cold water",
    r"pour(?:s|ed|ing)? scorn on",
    # doubters: "NASA casts doubt on meteorite reports", "experts raise doubts about claim"
    r"cast(?:s|ing)? doubts? (?:on|over)",
    r"rais(?:es|ed|ing) doubts? (?:about|over|on)",
)

# Verbs that deny only when their object is a report-like thing ("rejects reports").
_OBJECT_VERBS = (
    r"reject(?:s|ed|ing)?",
    r"dismiss(?:es|ed|ing)?",
    r"disput(?:e|es|ed|ing)",
    r"slam(?:s|med|ming)?",
    # "contradicting a statement from X" asserts the opposite of X: a denial only of a report
    r"contradict(?:s|ed|ing)?",
    # an outlet retracting its report denies it; a journal retracting a paper decides
    r"retract(?:s|ed|ing)?",
    # markets shrug off events; a party shrugs off a report or talk
    r"shrug(?:s|ged|ging)? off",
    # rebuttal idioms that take a report: "scotches rumours", "hosed down reports"
    r"rebuff(?:s|ed|ing)?",
    r"scotch(?:es|ed|ing)?",
    r"hos(?:e|es|ed|ing) down",
    r"knock(?:s|ed|ing)? down",
    r"swat(?:s|ted|ting)? (?:away|down)",
    r"wav(?:e|es|ed|ing) away",
    r"bat(?:s|ted|ting)? away",
)

# What a denial verb takes when it denies a report.
_REPORT_OBJECTS = (
    r"reports?",
    r"claims?",
    r"rumou?rs?",
    r"allegations?",
    r"accusations?",
    r"stor(?:y|ies)",
    r"suggestions?",
    r"speculation",
    r"talk",
    r"assertions?",
    r"account",
    r"idea",
    r"notion",
    r"charges?",
    # an investigator's or regulator's conclusion is a report to deny ("rejects finding")
    r"findings?",
    r"conclusions?",
    # a study or its numbers, answered: "rejects satellite study", "disputes the union's figures"
    r"stud(?:y|ies)",
    r"analys[ie]s",
    r"research",
    r"figures",
    r"estimates?",
    r"characteri[sz]ation",
    r"portrayal",
    r"it",
)

# Objects that make "reject" or "dismiss" mean something else (courts, bids, proposals):
# rejecting a plan is a decision, denying a plan is a denial that it exists.
_NON_DENIAL_OBJECTS = (
    r"bail",
    r"entry",
    r"access",
    r"(?:a |an )?visas?",
    r"permission",
    r"parole",
    r"(?:an? |the |his |her |their )?(?:appeal|challenge|motion|request|application|plea"
    r"|petition|bid|offer|proposal|plan|calls? for)",
    r"(?:a |the )?(?:chance|opportunity|place|spot|service|treatment|care|benefits?)",
    r"(?:him|her|them|us|me|it) (?:entry|access|bail|a visa)",
)

# What "deny" refuses rather than denies, a few words on ("denied Talvik a permit",
# "denied bail"): granting things, never reports.
_REFUSAL_OBJECTS = (
    r"bail",
    r"entry",
    r"access",
    r"visas?",
    r"permits?",
    r"permission",
    r"licen[cs]es?",
    r"parole",
    r"asylum",
    r"citizenship",
    r"funding",
    # insurance: "landscapers denied coverage"
    r"(?:insurance )?(?:coverage|cover|payouts?|compensation|reimbursement|benefits?)",
    # "zoning board denies Vantora request for skybridge": a request for something, refused
    r"(?:\w+ )?requests? for",
    # rights granted or refused: "denies landing rights to charter flights"
    r"(?:\w+\s+)?rights\s+(?:to|for)\b",
    r"(?:landing|overflight|traffic|transit|docking|fishing|voting|visiting|visitation|"
    r"broadcast(?:ing)?|residency|access) rights",
    # an opportunity withheld ("campaigners denied the chance to speak"); "denies any
    # chance of a sale" is a denial, so only the infinitive form refuses
    r"(?:the |a |an )?(?:chance|opportunity|right|platform) to",
    # not "request": "denies trade request" denies having asked
    r"(?:an? |the |his |her |their )?(?:appeal|motion|application|plea|petition)s?",
)

# Set phrases that carry a denial wherever they stand in a headline or lead.
_DENIAL_PHRASES = (
    r"pure fiction",
    r"complete fiction",
    r"fiction",
    r"categorically (?:false|untrue|wrong)",
    r"(?:totally |completely |entirely |simply )?(?:false|untrue)",
    r"not true",
    r"(?:inaccurate|incorrect)",
    # "the union's figures are 'misleading'", not "accused of misleading investors"
    r"(?:(?:is|are|was|were|been|be|as)\s+(?:\w+\s+)?['\"‘“]?|['\"‘“])misleading\b",
    r"no truth",
    r"baseless",
    r"groundless",
    r"unfounded",
    r"without (?:any )?foundation",
    r"never happened",
    r"(?:did not|didn't|has not|hasn't|have not|haven't) happen(?:ed)?",
    r"no such \w+",
    # not "the standoff showed no sign of ending": a thing going on
    r"(?<!show )(?<!shows )(?<!showed )(?<!showing )"
    r"no (?:risk|threat|danger|evidence|sign|record|instruction)s? (?:of|that|to)",
    r"nonsense",
    r"rubbish",
    r"fabricat(?:ed|ion|ions)",
    r"fake(?: news)?",
    r"hoax",
    r"not for sale",
    # a defendant's plea denies the charge
    r"plead(?:s|ed|ing)? (?:not guilty|innocent)",
    r"(?:entered |enters )?(?:a )?not[- ]guilty pleas?",
    r"no plans?",
    r"(?:is|was|are) wrong",
    r"not (?:resigning|quitting|stepping down|leaving)",
    r"(?:we are|we're|i am|i'm) (?:staying|going nowhere|not going anywhere)",
    r"(?:is|are) going nowhere",
    # alive, against reports of a death: "'As you can see, I am alive'", "alive and at his post"
    r"(?:i am|i'm|he is|she is|he's|she's) (?:still |very much |safe and )?alive\b",
    r"alive and (?:well|kicking|safe|at (?:his|her|their) posts?)",
    r"proof of life",
    r"no intention",
    # "had no contact", not "had no interest in discussing it"
    r"(?:made|paid|received|had|held|taken) no(?! (?:interest|choice|option|time|desire|wish)\b)",
    r"(?:has|have|had) not (?:paid|made|agreed|accepted|spoken|met|received|signed)",
    r"no (?:bid|offer|deal|agreement|ransom|payment|contact|contacts|talks|meeting|call)s?",
    r"misinformation",
    r"debunked",
    r"(?:a|pure|complete|total|utter) fantasy",
    r"(?:simply|plainly|just|flatly|completely|totally) wrong",
    r"no (?:involvement|decision|arrests?|adverse \w+ finding|adverse finding)",
    # a finding of nothing answers the claim: "regulator finds no sign vaccine harms hearing"
    r"(?<=finds )no (?:sign|evidence|link|trace|proof|indication|basis)",
    r"(?<=found )no (?:sign|evidence|link|trace|proof|indication|basis)",
    r"(?<=sees )no (?:sign|evidence|link|trace|proof|indication|basis)",
    # official registers: "have no basis in reality", "devoid of truth", "malicious rumours"
    r"(?:has|have|had|with|without|of) no (?:factual )?basis",
    r"no basis (?:in|for|whatsoever)",
    r"devoid of (?:any |all )?(?:truth|basis|foundation)",
    r"malicious (?:rumou?rs?|lies|claims|reports|allegations)",
    r"(?:zero|not a shred of|not one shred of|not an ounce of|not a grain of|not a word of) truth",
    r"(?:greatly|wildly|grossly|vastly|hugely|massively) exaggerated",
    r"wide of the mark",
    r"(?:nothing|nothing could be|could not be|couldn't be) further from the truth",
    r"far from the truth",
    r"(?:simply |just |absolutely |categorically )?not the case",
    r"(?:a load of |utter |complete |total )?"
    r"(?:codswallop|hogwash|balderdash|poppycock|tosh|drivel)",
    r"mischievous(?: (?:reports?|claims?|speculation|stor(?:y|ies)|rumou?rs?))?",
    r"(?:100% |pure |total |just )?FUD",
    r"not happening",
    r"(?:lol|lmao|haha),? no",
    r"bogus",
    r"doctored",
    r"photoshopped",
    r"(?:was|were|been|is|are) faked",
    r"made (?:it|the story|this|that|the whole thing) (?:all )?up",
    r"(?:kills?|killed|squash(?:es|ed)?|scotch(?:es|ed)?|quell(?:s|ed)?) (?:\w+ ){0,3}rumou?rs?",
    r"rumou?rs? (?:put|laid) to rest",
    # "the show was 'never cancelled'": a flat never of the reported event
    r"(?:was|were|is|are|has|have|had)(?: been)? never (?:been )?\w+(?:ed|en)",
    r"(?:puts?|putting) (?:the |those |these |any )?(?:rumou?rs?|speculation|talk|reports?|claims?"
    r"|stor(?:y|ies)) to (?:bed|rest)",
    r"(?:puts?|putting) to (?:bed|rest) (?:the |those |these |any )?(?:rumou?rs?|speculation|talk"
    r"|reports?|claims?|stor(?:y|ies))",
    # an outlet correcting its own story denies what it reported
    r"(?:this|the|an earlier|a previous) (?:version of this )?(?:story|article|report)"
    r" (?:has been|was|is being) (?:corrected|amended|updated to correct)",
    r"(?:incorrectly|wrongly|erroneously|mistakenly) (?:reported|stated|said)",
)

# Flat negations that deny the reported proposition when a headline makes them (a
# reporter's debunk: "No, the tree was not cut down"); too common in body prose to count there.
_HEADLINE_DENIALS = (
    r"^no\s*[,:;!.–—-]",
    r"^sorry,",
    r"nope",
    r"(?:is|are|was|were|has|have|had|did|does|do)(?:\s+not|n't)\b(?:\s+(?:really|actually))?",
    r"(?:isn't|aren't|wasn't|weren't|hasn't|haven't|didn't|doesn't|won't)",
    r"(?:will|shall) not be (?:\w+ed|put|cut|shut|sold|hit|made|taken|kept|held|built)\b",
    r"not (?:real|among|stolen|dead|true)",
    r"says? no\b",
    # a first-person never, in a headline quote: "'I never took a cent from those grants'"
    r"(?<=['\"‘“])(?:i|we)\s+(?:have\s+)?never\s+\w+",
    r"there (?:is|are|was|were) no\b",
    r"(?:nobody|no one|nothing) (?:from \w+(?: \w+)? )?(?:has|have|had|was|is|did)\b",
    # a question answered no: "NHL expansion ahead? No, says Bettman"
    r"(?<=\?)\s*no\b",
    # a reported event negated without an auxiliary: "Missing students not found in grave"
    r"not (?:\w+ed|\w+en|found|held|made|caught|hit|shot|sold|built|paid|lost|hurt|kept)\b",
)

# Cues of the outlet's own report or its anonymous sources: the party is the media.
_MEDIA_CLAIM_CUES = (
    r"(?:sources?|insiders?|officials?|aides?|advisers?|people|persons?)"
    # "people who spoke on condition of anonymity", not "the people who work at Ravelstone"
    r" (?:familiar|close|briefed|with knowledge|involved|who (?:spoke|were|was|have|has|had|"
    r"know|knew|asked|requested|declined|saw|are|is)\b)",
    r"(?:sources?|insiders?|officials?|aides?) (?:say|says|said|tell|told|claim)",
    r"(?:city hall|white house|kremlin|club|company|government) sources?",
    r"people familiar",
    r"according to",
    r"citing",
    r"reportedly",
    r"understands",
    r"has learned",
    r"has learnt",
    r"exclusive",
    # "..., Ringside Buzz has been told by two people at the gym"
    r"(?<!jury )(?<!court )(?<!inquest )(?<!tribunal )(?<!hearing )(?<!committee )"
    r"(?:has|have) been told",
    r"(?:emails?|documents?|files?|records?|messages?|papers?) (?:show|shows|seen by|obtained by)",
    r"report:",
    r"(?:[–—-]|,)\s*(?:reports?|sources?)$",
    r"per (?:sources|people|two|three|several|multiple|a person|insiders|officials)",
    r"(?:newspaper|paper|daily|weekly|tabloid|media|outlet|site|website|broadcaster|network|tv"
    r"|channel|agency) reports?",
    r"reported(?: on \w+)?(?:,| that|$)",
    # a headline attributed to another outlet, wire style: "... to visit Malindra - Herald"
    r"(?<=\s)[–—-]\s*(?:[A-Z][\w'.&-]*\s+){0,3}(?:Herald|Times|Post|Journal|News|Daily|Shimbun|"
    r"Ilbo|Gazette|Tribune|Telegraph|Mail|Express|Standard|Observer|Chronicle|Ledger|Keizai|"
    r"Nikkei|Bloomberg|Reuters|Wire|Press|Sun|Mirror|Guardian|Independent|Globe|Star|"
    r"Examiner|Inquirer|Record|Courier|Register|Advertiser|Reporter|Bulletin|Monitor|Insider"
    r"|Zeitung|Tageblatt)$",
    r"(?:is|are|was|were) said to",
    r"leaked",
    r"revealed",
    r"can (?:reveal|confirm)",
    # friends and "pals" are anonymous sources: the outlet's own report
    r"(?:friends?|pals?|insiders?|sources?) (?:reveal|claim)s?",
)

# The outlet's own sourcing, in the first paragraphs under a flat headline: "Zahran fund to
# take 40% stake in Northbridge", "... according to documents seen by The Gulf Herald". Not
# "reported" or "citing": those retell another outlet's report.
_OWN_SOURCING = (
    r"(?:documents?|emails?|files?|records?|messages?|papers?|letters?|minutes)"
    r" (?:seen|obtained|reviewed) by",
    r"(?:people|persons?|sources?|officials?|insiders?) (?:familiar|close|briefed|with knowledge)",
    r"(?:two|three|four|several|multiple) (?:people|sources|officials|insiders|executives)",
    r"(?:a|one) (?:person|source|official|insider) (?:familiar|close|briefed|with)",
    r"(?:has|have) (?:learned|learnt|been told)",
    r"understands",
    r"can (?:reveal|confirm)",
)

# Cues of a principal asserting or confirming something: the party is the speaker.
_PRINCIPAL_CLAIM_CUES = (
    r"confirm(?:s|ed|ing)?",
    r"admit(?:s|ted|ting)?",
    r"acknowledg(?:e|es|ed|ing)",
    r"conced(?:e|es|ed|ing)",
    r"alleg(?:e|es|ed|ing)",
    # blaming is alleging a cause: "Fire service blames X battery for blaze"
    r"blam(?:e|es|ed|ing)",
    r"claim(?:s|ed|ing)? that",
    # a trailing attribution: "..., the rail union RTWF has claimed, citing rosters"
    r"(?:has |have |had )?claimed(?=\s*[,.;])",
    # "Hacker group Hexlane claims it stole ...", "claimed to have breached"
    r"claim(?:s|ed)? (?:it|they|he|she|to have|responsibility)\b",
    r"insist(?:s|ed)? that",
    r"told (?:me|us|him|her|them)",
    r"(?:says?|said)(?: on \w+day| \w+day| today| yesterday)? (?:that )?(?:he|she|it|they|we|i)"
    r" (?:plans?|will|would|intends?|is going|are going)",
    # a complaint's allegation: "the lawsuit accuses Pepper Row of skimming tips"
    r"accuses",
    r"accused (?!of\b)",
    r"announc(?:e|es|ed|ing)",
    # an inquiry's or regulator's finding: "Regulator finds arsenic in creek"
    r"finds",
    # ... and what tests or researchers find: "Second group's road tests find Arca exceeds"
    r"(?:(?<=tests )|(?<=studies )|(?<=researchers )|(?<=scientists )|(?<=investigators )|"
    r"(?<=inspectors )|(?<=audits )|(?<=checks ))find",
    r"conclud(?:es|ed) that",
    r"reveal(?:s|ed)",
)

# Patterns that look like cues but are not statements (each is a trap to test).
_TRAPS = (
    r"declin(?:e|es|ed|ing) to (?:comment|confirm|say|discuss|speculate|be drawn)",
    r"(?:refus(?:e|es|ed|ing)|declin(?:e|es|ed|ing)|would not|wouldn't|will not|won't"
    r"|did not|didn't)"
    r" (?:to )?(?:either )?(?:confirm or deny|deny or confirm|confirm nor deny)",
    r"neither confirm(?:s|ed)? nor den(?:y|ies|ied)",
    r"(?:not|never|n't)(?: \w+){0,3} (?:to )?(?:either )?(?:confirm or deny|deny or confirm)",
    # refusing to rule something out, or to be drawn, is neither a claim nor a denial
    r"(?:refus\w*|declin\w*|won't|will not|would not|wouldn't|did not|didn't|does not|doesn't"
    r"|not|never|no one|nobody)(?: going)? (?:to )?rul(?:e|ed|ing) (?:\w+ )?out",
    r"(?:won't|will not|would not|wouldn't|refus\w* to|declin\w* to|not) be drawn",
    r"(?:laugh|brush|shrug|wave|bat)(?:s|ed|ing)? (?:off|away|aside) (?:an? |the |his |her )?"
    r"(?:\w+ ){0,2}questions?",
    r"(?:did|does|do|would|will|could) not (?:deny|dispute|reject|confirm|dismiss)",
    r"(?:didn't|doesn't|don't|wouldn't|won't|couldn't) (?:deny|dispute|reject|confirm|dismiss)",
    r"not (?:been )?(?:immediately )?(?:able|available) to (?:confirm|verify|comment)",
    r"(?:could|can)not (?:independently )?(?:confirm|verify)",
    r"could not (?:independently )?(?:confirm|verify)",
    r"(?:has|have|had) not (?:independently )?(?:confirmed|verified)",
    r"no comment",
    r"not (?:going to )?comment",
    r"false (?:start|alarm|dawn|positive|negative|flag)s?",
    r"(?:won't|will not|would not|wouldn't|did not|didn't|refuses? to|declined to) say",
    r"(?:side-?steps?|sidestepped|dodg(?:e|es|ed)|evad(?:e|es|ed)|brush(?:es|ed)? off)"
    r" (?:questions?|the question)",
    # a thing granted or withheld, its holder between: "denied the Alliance for Democratic
    # Renewal (ADR) permission to hold a rally"; not "denies reports that ... permission"
    r"den(?:y|ies|ied|ying) (?:(?!(?:reports?|claims?|that|rumou?rs?|allegations?|stor(?:y|ies)"
    r"|any|suggestions?)\b)[\w'().-]+\s+){0,7}?"
    r"(?:bail|entry|access|a visa|visas?|parole|permission|a permit|permits?|licen[cs]es?)\b",
    # someone's request refused: "Judge denies veterans group's bid to force release"
    r"den(?:y|ies|ied|ying) (?:[\w-]+\s+){0,3}[\w-]+['’]s?\s+(?:bid|request|motion|appeal|"
    r"application|petition|plea|challenge|lawsuit|suit|case)s?\b",
    r"reject(?:s|ed|ing)? (?:an? |the |their |his |her )?(?:\w+'s? )?"
    r"(?:appeal|challenge|motion|petition|plea|lawsuit|suit|case)",
    r"den(?:y|ies|ied|ying) (?:\w+ )?rights (?:to|for)",
    r"did not respond",
    # advice and evasions, not statements: "Don't let the trade noise bench your WR1",
    # "Lindqvist won't discuss his future"
    r"(?:^|(?<=[:!?] ))(?:don't|do not|never) (?:let|miss|forget|sleep on|buy|sell|"
    r"bench|start|overreact|expect|believe|trust|fall for)\b",
    r"(?:won't|will not|would not|wouldn't|refus\w* to|declin\w* to|did not|didn't) "
    r"(?:discuss|address|talk about|speak about|get into|elaborate)",
    # an error message, not a statement: "users are getting 'access denied' errors"
    r"(?:access|permission|entry) (?:was |is )?denied",
    # passenger rights: "Denied boarding on a Bellhaven Air flight?"
    r"den(?:y|ies|ied|ying) (?:\w+ )?boarding",
    r"did not return",
    r"fake (?:tan|fur|eyelashes|plants?)",
)

# Words before a cue that make it hypothetical or negated ("may deny", "did not deny").
_MODALS = (
    r"may",
    r"might",
    r"could",
    r"would",
    r"should",
    r"expected to",
    r"likely to",
    r"set to",
    r"poised to",
    r"ready to",
    r"plans to",
    r"threaten(?:s|ed)? to",
    r"not",
    r"never",
    r"n't",
    r"if",
    r"whether",
    r"unless",
)

# Phrases that put a statement in the past: background, not the article's news.
_BACKGROUND = (
    r"had (?:also |earlier |previously |already )?(?:denied|called|said|rejected|dismissed)",
    r"earlier (?:this|that|last) (?:week|month|year)",
    r"earlier (?:on|in) \w+",
    r"last (?:week|month|year)",
    r"previously",
    r"in the past",
    r"(?:days?|weeks?|hours?|months?) (?:after|before|earlier|ago)",
    r"(?:has|have) (?:also |repeatedly |long )(?:said|denied|called|rejected|dismissed)",
    r"(?:has|have) (?:already )?called",
    r"was (?:also )?(?:denied|rejected|dismissed) (?:by|earlier)",
    # "admits breach, reversing earlier denial": a denial named as past
    r"(?:earlier|previous|initial|prior|repeated|past|original) denials?",
    # "agrees sale after denying talks": the denial is what came before the news
    # a statement referred to, not made: "contradicting the airline's initial statement that
    # reports of a fire were incorrect"
    r"(?:contradicting|contradicts|contrary to|at odds with) (?:the |a |an |its |his |her |"
    r"their )?(?:[\w'’-]+\s+){0,3}?(?:statements?|insistence|assurances?|denials?)",
    # "cut 'is coming' despite Northway denial": the denial is what the news answers
    r"(?:after|despite|since|following) (?:the |a |an |its |his |her |their )?"
    r"(?:[\w'’-]+\s+){0,2}?(?:denials?|rebuttals?)",
    r"(?:after|despite|since) (?:earlier |initially |previously |repeatedly |publicly )?"
    r"(?:denying|rejecting|dismissing|insisting|refuting|calling|branding|labell?ing|"
    r"describing|rubbishing)",
)

# Headlines of pieces that retell a story rather than report news in it: anywhere in the
# headline ("From 'untrue' to 'we separated': how the split story unfolded").
_RECAPS = (
    r"how the .{3,80} (?:unfolded|played out|developed|came to light)",
    r"timeline",
    r"the story so far",
    r"a look back",
    r"(?:the )?week in review",
    r"everything (?:we|you need to) know",
    r"what (?:we|you need to) know",
    r"^[\w' ]{0,30}\b(?:weekly|week|digest|newsletter|briefing|round-?up)\s*:",
    r"(?:the )?week that was",
    r"(?:weekly |week's |daily )?round-?up",
    r"what we learned",
)

# Headline prefixes of pieces that argue about claims rather than report one.
_OPINION_PREFIXES = (
    r"opinion",
    r"analysis",
    r"review",
    r"column",
    r"comment",
    r"commentary",
    r"editorial",
    r"letters?",
    r"explainer",
    r"explained",
    r"what we know",
    r"fact ?check(?! ?:)",
    r"perspective",
    r"view",
    r"the big read",
    r"podcast",
    r"quiz",
    r"fantasy",
    r"live",
    r"obituary",
)

# Vocabulary of results, reviews and listings: a cue-less headline with these words is
# not a contested proposition (a match report names the club; a bout names Trump).
_SOFT_NEWS = (
    r"champ(?:ion)?s?",
    r"ringside",
    r"title fight",
    r"knock-?out",
    r"double",
    r"hat-?trick",
    r"wins?",
    r"won",
    r"beats?",
    r"sinks?",
    r"thrash(?:es)?",
    r"draws?",
    r"climbs?",
    r"derby",
    r"goals?",
    r"scores?",
    r"does the talking",
    r"gameweek",
    r"fixtures?",
    r"line-?ups?",
    r"preview",
    r"highlights",
    r"recipe",
    r"horoscope",
    r"crossword",
    r"box office",
    r"album",
    r"film",
    r"trailer",
    r"playlist",
    r"tickets?",
    r"concert",
)


def _escape_phrase(phrase: str) -> str:
    """A user's plain phrase as a fragment: words literal, flexible spaces."""
    return r"\s+".join(re.escape(word) for word in phrase.split())


@dataclass(frozen=True)
class Lexicon:
    """Every list the detector consults. Frozen and hashable, so compiled patterns can be
    cached per lexicon."""

    deny_verbs: tuple[str, ...] = _DENY_VERBS
    object_verbs: tuple[str, ...] = _OBJECT_VERBS
    report_objects: tuple[str, ...] = _REPORT_OBJECTS
    non_denial_objects: tuple[str, ...] = _NON_DENIAL_OBJECTS
    refusal_objects: tuple[str, ...] = _REFUSAL_OBJECTS
    denial_phrases: tuple[str, ...] = _DENIAL_PHRASES
    headline_denials: tuple[str, ...] = _HEADLINE_DENIALS
    media_claim_cues: tuple[str, ...] = _MEDIA_CLAIM_CUES
    principal_claim_cues: tuple[str, ...] = _PRINCIPAL_CLAIM_CUES
    own_sourcing: tuple[str, ...] = _OWN_SOURCING
    traps: tuple[str, ...] = _TRAPS
    modals: tuple[str, ...] = _MODALS
    background: tuple[str, ...] = _BACKGROUND
    opinion_prefixes: tuple[str, ...] = _OPINION_PREFIXES
    recaps: tuple[str, ...] = _RECAPS
    soft_news: tuple[str, ...] = _SOFT_NEWS

    def extended(self, denial_cues: Sequence[str] = (), claim_cues: Sequence[str] = ()) -> Lexicon:
        """A copy with the user's extra plain-text cues (from config) added. Extra claim
        cues count as a principal's claim: the party is the sentence's subject."""
        return replace(
            self,
            denial_phrases=self.denial_phrases + tuple(_escape_phrase(c) for c in denial_cues),
            principal_claim_cues=self.principal_claim_cues
            + tuple(_escape_phrase(c) for c in claim_cues),
        )


DEFAULT_LEXICON = Lexicon()
