"""English phrasings of the requirement concepts; `languages/__init__.py` says what each concept means."""

from __future__ import annotations

_DROP = r"(?:drop|forget(?: about)?|remove|ignore|scrap|ditch|lose|lift|clear|delete|disregard|never ?mind|get rid of"
_DROP += r"|cancel)"
_THE = r"(?:(?:the|that|this|our|my|your|any) )?"

TASK_WORDS: dict[str, tuple[str, ...]] = {
    "inference": (
        r"deploy(?:s|ing|ment|ed)?|serv(?:e|es|ing)|host(?:s|ing|ed)?|run(?:s|ning)?|inference|infer"
        r"|chat ?bots?|apis?|endpoints?|set ?up|generat(?:e|es|ing)|predictions?|real[- ]time|online"
        r"|transcri(?:be|bing)|in production|production",
    ),
    "batch_inference": (
        r"batch(?! ?sizes?)(?:es|ed)?|every night|nightly|overnight|offline|back ?catalog(?:ue)?s?|backlog"
        r"|one[- ]off|one[- ]time|(?:whole|entire) (?:corpus|archive|dataset|backlog)"
        r"|archives?|scheduled|cron(?: ?jobs?)?|bulk|daily jobs?|once a (?:day|week|night)",
    ),
    "training": (r"train(?:s|ing)?|pre-?train(?:s|ing)?|from scratch",),
    "fine_tuning": (r"fine[- ]?tun(?:e|es|ing)|finetun(?:e|es|ing)", r"sft|instruction[- ]tun(?:e|ing)"),
    "adapter": (r"q?lora|peft|adapt(?:s|ing)?|domain adaptation",),
}
DOMAIN_WORDS: dict[str, tuple[str, ...]] = {
    "nlp_free_text": (r"free[- ]?text\w*",),
    "nlp": (
        r"llms?|large language models?|language models?|chat ?bots?|gpt|rag|retrieval[- ]augmented"
        r"|embeddings?|semantic search|e5|bert|roberta|sentence[- ]transformers?"
        r"|summari[sz](?:e|es|ation|ing|er)"
        r"|translat(?:e|es|ion|ing|or)|sentiment|named entit(?:y|ies)|question answering|text classification"
        r"|text generation|nlp|natural language|faq|support bot|customer support|copilot|code generation"
        r"|embed(?:s|ding)?|vectori[sz](?:e|es|ing|ation)|knowledge base|retrieval|search index"
        r"|summary|summaries|re-?rank\w*|cross-encoders?|autocomplet\w*|code completions?"
        r"|phishing|scams?|spam|toxicity|toxic|hate speech|narratives?|explanations?|complaints?|intents?"
        r"|tokens?|context window|transcripts|meeting minutes|contracts?|codebase|chatting|conversation\w*"
        r"|coding assistant|rerank(?:er|ing)",
    ),
    "nlp_weak": (
        r"text|documents?|prompts?|chat|assistant|conversational|\w+[- ]bots?|comments?|reviews?|articles?"
        r"|questions?|answers?|messages?|descriptions?|generators?|completions?|notes",
    ),
    "computer_vision": (
        r"computer vision|vision|images?|photos?|pictures?|object detection|detect(?:ing)? objects"
        r"|segmentation|image classif(?:ier|iers|ication)|resnet|yolo\w*|ocr|face recognition|videos?|cctv"
        r"|x-?rays?|radiograph\w*|ct scans?|mri|mammogra\w*|frames?|dashcams?|handwrit\w*|cv(?! ?s\b)|pics"
        r"|license plates?|number plates?|helmets?"
        r"|cameras?|vit|detr|stable diffusion|sdxl|flux|text[- ]to[- ]image|image generation"
        r"|generat(?:e|ing) images|dall-?e|midjourney",
    ),
    "audio": (
        r"whisper|speech|audio|podcasts?|tts|text[- ]to[- ]speech|speech[- ]to[- ]text"
        r"|transcri(?:be|bing|ption|ptions)"
        r"|asr|voice|call recordings?|music|dictation|dictat(?:e|es|ing)|voice notes?",
    ),
    "tabular": (
        r"scikit[- ]?learn|sklearn|xgboost|lightgbm|catboost|tabular|fraud\w*|churn|forecast(?:s|ing)?"
        r"|structured (?:\w+ )?(?:data|features)|numeric features"
        r"|time[- ]series|recommend(?:er|ers|ation|ations)(?: systems?)?|credit scor(?:e|ing)"
        r"|random forests?"
        r"|logistic regression|structured data|csv|anomaly detection|feature engineering",
    ),
    "multimodal": (
        r"vlms?|vision[- ]language(?: models?)?|multi[- ]?modal|image[- ]text|images? and text"
        r"|text and images?"
        r"|images? ?\+ ?text|llava|visual question answering|vqa|image captioning|describe images",
    ),
}
NO_GPU: tuple[str, ...] = (
    r"(?:no|zero|without(?: an?)?|not on(?: an?)?) gpus?|cpu[- ]?only"
    r"|only (?:on )?cpus?"
    r"|(?:on|with|using) (?:the |an? |our |plain |regular )?"
    r"(?:cpus?|cpu (?:box|boxes|machines?|nodes?|servers?|instances?))"
    r"|cpus? (?:is|are) (?:fine|enough|ok|okay)|gpu[- ]free"
    r"|(?:do(?:n'?t| not)|does(?:n'?t| not)|won'?t) need (?:an? |any )?gpus?"
    r"|no need for (?:an? |any )?gpus?",
    r"cpu[- ]based",
)
PROVIDER_NEGATION: tuple[str, ...] = (
    r"\bnot|\bno|instead of|rather than|other than|except|\bfrom|without|avoid|away from",
    r"\bleave|\bmove off|switch(?:ing)? from|migrat(?:e|ing) from",
)
AREA_WORDS: dict[str, tuple[str, ...]] = {
    "eu": (r"(?-i:EU)(?!-)", "europe", "european", "gdpr"),
    "eu_strict": (
        r"european union|(?-i:EU) member states?|(?-i:EU)[- ]only"
        r"|(?:(?:stay|stays|staying|remain|remains|kept) (?:in|inside|within)|inside|within|only in)"
        r" (?:the )?(?-i:EU)(?!-)",
    ),
    "germany": ("germany", "frankfurt", "berlin", "munich"),
    "uk": (r"(?-i:UK)", "united kingdom", "britain", "great britain", "london", "england"),
    "us": (
        r"(?-i:US|USA|U\.S\.|U\.S\.A\.)(?!-)",
        "united states",
        r"(?<!south )(?<!latin )america",
        "american",
        "stateside",
    ),
    "na": ("north america",),
    "asia": ("asia", "asian"),
    "apac": ("apac", r"asia[- ]pacific"),
    "japan": ("japan", "tokyo", "osaka"),
    "canada": ("canada", "canadian", "toronto", "montreal"),
    "france": ("france", "paris", "marseille"),
    "india": (
        "india",
        "mumbai",
        "bombay",
        "delhi",
        "new delhi",
        "bangalore",
        "bengaluru",
        "hyderabad",
        "chennai",
        "pune",
    ),
    "australia": ("australia", "australian", "sydney", "melbourne"),
    "brazil": ("brazil", "sao paulo"),
    "south_america": ("south america",),
    "latin_america": ("latin america", "latam"),
    "middle_east": ("middle east", "mideast"),
    "africa": ("africa", "african"),
    "china": ("china", "mainland china"),
    "singapore": ("singapore",),
    "korea": ("korea", "south korea", "seoul"),
    "nordics": (r"nordics", r"nordic(?: countries| region)?", "scandinavia", "scandinavian"),
    "oceania": ("oceania",),
    "uae": (r"(?-i:UAE)", "united arab emirates", "emirates", "dubai", "abu dhabi"),
}
PERIOD_WORDS: dict[str, tuple[str, ...]] = {
    "month": ("month", "mo", "mth", "monthly", "pm", "p/m"),
    "hour": ("hour", "hr", "h", "hourly"),
    "day": ("day", "daily"),
    "week": ("week", "wk", "weekly"),
    "year": ("year", "yr", "y", "yearly", r"annual(?:ly)?", "annum", "pa", r"p\.a\."),
    "quarter": ("quarter", "quarterly", "qtr"),
}
RATE_PERIOD_WORDS: dict[str, tuple[str, ...]] = {
    "second": ("second", "sec", "s"),
    "minute": ("minute", "min"),
    "hour": ("hour", "hr", "h"),
    "day": ("day",),
    "week": ("week",),
    "month": ("month",),
}
PERIOD_PREPOSITIONS: tuple[str, ...] = ("per", "a", "an", "each", "every", "for the", "for a")
SCALES: dict[str, float] = {
    "k": 1e3,
    "thousand": 1e3,
    "grand": 1e3,
    "m": 1e6,
    "million": 1e6,
    "lakh": 1e5,  # Indian numbering: a lakh is 100,000, a crore 10 million
    "lakhs": 1e5,
    "lac": 1e5,
    "lacs": 1e5,
    "crore": 1e7,
    "crores": 1e7,
}
SCALE_WORDS: tuple[str, ...] = ("k", "m", "thousand", "million", "grand", "lakhs?", "lacs?", "crores?")
NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "single": 1,
    "a single": 1,
    "two": 2,
    "dual": 2,
    "a pair of": 2,
    "three": 3,
    "four": 4,
    "quad": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "sixteen": 16,
}
BUDGET_NOUNS: tuple[str, ...] = (r"budget(?:ed)?", r"spend(?:ing)?", "afford", "maximum spend", "cost cap", "limit")
REPLICA_NOUNS: tuple[str, ...] = ("replicas?", "instances", "copies", "pods")
HIGH_AVAILABILITY: tuple[str, ...] = (
    r"high(?:ly)?[- ]availab(?:le|ility)|(?<![A-Za-z])(?-i:HA)(?![A-Za-z])|redundan(?:t|cy)|failover"
    r"|fault[- ]toleran(?:t|ce)|no single point of failure",
)
USER_NOUNS: tuple[str, ...] = (
    r"users?|people|customers|clients|sessions|chat sessions|developers|devs|engineers|employees"
    r"|agents|seats|staff|students",
)
REQUEST_NOUNS: tuple[str, ...] = (
    r"requests?|reqs?|queries|query|calls|inferences|predictions|prompts|messages|images|generations"
    r"|transcriptions|documents|docs|embeddings",
    r"conversations|chats|questions|tickets|completions",
)
CONTEXT_NOUNS: tuple[str, ...] = (
    r"context(?:[- ]window|[- ]length|[- ]size)?|ctx|sequence length|seq(?:uence)? len|input length"
    r"|prompt length|max(?:imum)? (?:input|sequence) length",
)
DATA_NOUNS: tuple[str, ...] = (
    r"data|dataset|datasets|data set|images|photos|pictures|videos?|audio|text|logs|documents|files|corpus"
    r"|recordings",
)
LIST_JOINERS: tuple[str, ...] = ("and", "or", "nor", "plus")
LIST_ARTICLES: tuple[str, ...] = ("the", "an?", "any")
LIST_FILLERS: tuple[str, ...] = (
    r"on|in|at|to|into|inside|within|with|using|use|via|from|for|the|an?|any|of|our|run|running|deploy(?:ed)?"
    r"|host(?:ed)?|be|go|want|touch|regions?|data ?cent(?:er|re)s?|anything|something",
)
EXCLUDE_BEFORE: tuple[str, ...] = (
    r"(?<!why )(?<!if )(?<!or )(?<!whether )not|never|no|neither|none of"
    r"|exclud(?:e|es|ed|ing)|except(?: for)?|excepting|avoid(?:s|ed|ing)?|without|outside(?: of)?|other than"
    r"|rule out|ruling out|leave out|leaving out|skip|ban|blacklist|steer clear of|stay away from"
    r"|keep (?:it |us |this |everything |all )?(?:off|away from|out of)|stay (?:out of|off)"
    r"|(?:(?<=anything )|(?<=anywhere )|(?<=everything )|(?<=any cloud )|(?<=any gpu )|(?<=any region ))but"
    r"|(?:(?:do|does|did|could|would|must|should)(?:n'?t| not)|can'?t|can not|cannot|won'?t|will not|shall not|dont)"
    r" (?:want|use|like|trust|allow|go with|be|run|deploy|host|touch|put it)",
)
EXCLUDE_AFTER: tuple[str, ...] = (
    r"(?:is|are) not (?:an option|allowed|ok|okay|acceptable|possible|permitted|wanted|welcome)"
    r"|(?:isn'?t|aren'?t) (?:an option|allowed|ok|okay|acceptable|possible|permitted|wanted|welcome)"
    r"|(?:is|are) (?:out(?! there| of)|off the table|excluded|banned|forbidden|prohibited|a no-?go|not for us"
    r"|a non-?starter|off[- ]limits|out of the question)",
)
LIFT_AFTER: tuple[str, ...] = (
    r"(?:is|are|'s|'re|would be|will be)(?: (?:also|actually|now|still|totally|perfectly))? (?:fine|ok|okay|allowed"
    r"|acceptable|alright|all right|good|possible|an option|permitted|no problem|not a problem|back on the table"
    r"|back in)|works?(?: too| again| as well)?",
)
LIFT_BEFORE: tuple[str, ...] = (
    r"(?:re-?)?allow|(?:re-?)?include|un-?exclude|permit|bring back|add back|put back|(?:you|we) can (?:also )?use"
    r"|ok(?:ay)? to use|feel free to use",
)
TAKE_BACK_WORDS: dict[str, tuple[str, ...]] = {
    "budget": (
        rf"{_DROP} {_THE}(?:budget(?: (?:limit|cap|ceiling|constraint|restriction|requirement|thing|part|bit))?"
        r"|(?:cost|price|spend(?:ing)?) (?:limit|cap|ceiling|constraint|restriction))"
        r"|no (?:budget|spending)(?: (?:limit|cap|ceiling|constraint|restriction|requirement))?"
        r"|no (?:cost|price) (?:limit|cap|ceiling|constraint|restriction)"
        r"|(?:without|with no) (?:a |any )?(?:budget|spending)(?: (?:limit|cap|ceiling|constraint))?"
        r"|(?:unlimited|infinite|open[- ]ended|no fixed) budget|money is no object|cost is no object"
        r"|(?:the )?budget(?: is|'s)? (?:not an issue|no issue|no object|no concern|not a concern|unlimited"
        r"|irrelevant|not important|doesn'?t matter|does not matter)",
    ),
    "provider": (
        r"any (?:other )?(?:cloud|provider|vendor|hyperscaler)s?(?: provider)?|any of the (?:clouds|providers)"
        r"|(?:whatever|whichever) (?:cloud|provider)|(?:cloud|provider|vendor)[- ]agnostic"
        r"|(?:the )?(?:cloud|provider) (?:doesn'?t|does not|won'?t) matter|doesn'?t matter which (?:cloud|provider)"
        r"|no (?:cloud|provider) (?:preference|requirement|constraint)"
        r"|no preference (?:on|for|about|regarding) (?:the )?(?:cloud|provider)"
        rf"|{_DROP} {_THE}(?:cloud|provider)(?: (?:requirement|constraint|restriction|preference|choice))?"
        r"|don'?t care (?:about|which) (?:the )?(?:cloud|provider)|open to (?:any|other|all) (?:clouds?|providers?)",
    ),
    "region": (
        r"any (?:region|location|data ?cent(?:er|re)|country|geography|zone)s?(?! in)"
        r"|anywhere(?: in the world)?(?! (?:in|but|except|outside))"
        r"|(?:the )?(?:region|location|geography)s? (?:doesn'?t|does not|don'?t|do not|won'?t) matter"
        r"|doesn'?t matter where|no (?:region|location|geo(?:graphic)?(?:al)?) (?:preference|requirement|constraint"
        r"|restriction)s?|no preference (?:on|for|about|regarding) (?:the )?(?:region|location)s?"
        rf"|{_DROP} {_THE}(?:region|location|geo(?:graphic)?(?:al)?|data residency)"
        r"(?: (?:requirement|constraint|restriction|preference|choice))?"
        r"|don'?t care (?:about (?:the )?(?:region|location)|which region|where)",
    ),
    "gpu": (
        r"any (?:gpu|graphics card|card|accelerator)s?(?: (?:type|model|kind))?"
        r"|(?:whatever|whichever) (?:gpu|card)|gpu[- ]agnostic"
        r"|(?:the )?gpu(?: type| model)? (?:doesn'?t|does not|won'?t) matter|doesn'?t matter which gpu"
        r"|no (?:gpu|card|accelerator)(?: type| model)? (?:preference|requirement)"
        r"|no preference (?:on|for|about|regarding) (?:the )?(?:gpu|card|accelerator)s?(?: type| model)?"
        rf"|{_DROP} {_THE}gpu(?: type| model)? (?:preference|choice)"
        rf"|{_DROP} {_THE}gpu (?:type|model) (?:requirement|constraint|restriction)"
        r"|don'?t care (?:about|which) (?:the )?gpu",
    ),
    "gpu_count": (
        r"any (?:number of gpus|gpu count)|(?:however|as) many gpus(?: as (?:needed|necessary|it takes))?"
        rf"|{_DROP} {_THE}(?:gpu )?count|no (?:gpu )?count (?:preference|requirement)",
    ),
}
RANKING_WORDS: dict[str, tuple[str, ...]] = {
    "cheapest": (
        r"cheap(?:er|est|ly)?|less expensive|least expensive|lowest (?:price|cost)s?|lower (?:the |our )?(?:price"
        r"|cost|bill)s?|cut (?:the |our |down )?(?:cost|price|bill|spend)s?|reduce (?:the |our )?(?:cost|price|bill"
        r"|spend)s?|save (?:money|costs?)|cost[- ](?:effective|efficient|optimi[sz]ed|optimal)|budget[- ]friendly"
        r"|(?:most|more) affordable|minimi[sz]e (?:the )?costs?|best value|best price",
    ),
    "fastest": (
        r"fast(?:er|est)(?![- ]whisper)|quick(?:er|est)|speed (?:it |things )?up|low(?:er|est)? latency"
        r"|less latency|reduce (?:the )?latency|minimi[sz]e (?:the )?latency|snappier|more performance"
        r"|(?:best|highest|max(?:imum)?) performance|as fast as possible|(?:higher|more|max(?:imum)?) throughput",
    ),
}
LICENSE_WORDS: dict[str, tuple[str, ...]] = {
    "commercial": (
        r"commercial(?:ly)?[- ](?:use|usage|usable|friendly|purposes?|products?|licen[cs]e|applications?)"
        r"|permissive(?:ly)?(?: licen[cs](?:e|es|ed))?|business use",
    ),
    "open_source": (r"open[- ]source|osi[- ]approved",),
}
