"""Topic tags: a fixed taxonomy matched by keyword rules.

The taxonomy (:data:`TOPICS`) and what votes for each tag (strong patterns; see
:data:`TOPIC_RULES` for the weak ones):

=====================  ===========================================================
tag                    strong evidence
=====================  ===========================================================
models                 LLM, language model, foundation/frontier/reasoning model,
                       GPT-n, Claude, Gemini, Llama, Mistral, Qwen, DeepSeek
research               paper, arXiv, researchers, study, benchmark, dataset
products               app, chatbot, assistant, ChatGPT, Copilot, feature, subscription
agents                 agent(s), agentic, computer use, Model Context Protocol / MCP
coding                 coding, code, programming, developers, IDE, GitHub, SDK, API
funding                raises $…, funding, Series A–H, valuation, IPO, venture capital
deals                  acquisition, acquires, merger, partnership, licensing deal
people                 hires, appoints, steps down, resigns, CEO, layoffs
policy & regulation    regulation, legislation, lawmakers, executive order, AI Act,
                       government, policy
legal                  lawsuit, sues, court, judge, copyright, antitrust, settlement
safety                 safety, alignment, interpretability, red teaming, guardrails,
                       catastrophic risk, responsible scaling
security               cybersecurity, vulnerability, hack, breach, malware, phishing,
                       prompt injection, jailbreak
compute & energy       GPU, chip, Nvidia, data center, compute, energy, electricity,
                       power grid, TPU, semiconductor, supercomputer
open source            open source, open weights, open model, Hugging Face, Apache 2.0
robotics               robot, robotics, humanoid, self-driving, autonomous vehicle
health & science       health, medical, drug, protein, biology, clinical, patients,
                       climate, scientific discovery
society                jobs, workers, employment, education, students, teachers,
                       misinformation, elections, children
media & creative       image/video/music generation, artists, film, Sora, Midjourney
business               revenue, earnings, profit, enterprise, customers, pricing
opinion                opinion, op-ed, essay, commentary
=====================  ===========================================================

A tag applies when it scores at least :data:`MIN_TAG_POINTS` under :mod:`.rules`
scoring (so one strong title match, or several body matches); at most
:data:`MAX_TAGS` tags are kept, strongest first, ties in taxonomy order. An event that
matches nothing gets the fallback tag :data:`FALLBACK_TAG` (``AI``), so every event has
at least one tag.
"""

from __future__ import annotations

from collections.abc import Sequence

from pulseaugur.rank.rules import POLICY_WORD, RAISES_MONEY, Rule, rule_scores
from pulseaugur.types import CoverageEntry

FALLBACK_TAG = "AI"
MIN_TAG_POINTS = 4.0
MAX_TAGS = 3

TOPIC_RULES: tuple[Rule, ...] = (
    Rule(
        "models",
        strong=(
            r"LLMs?",
            r"(?:large )?language models?",
            r"(?:foundation|frontier|reasoning|multimodal|open|AI) models?",
            r"GPT-?\d[\w.]*",
            r"Claude",
            r"Gemini",
            r"Llama",
            r"Mistral",
            r"Qwen",
            r"DeepSeek",
        ),
        weak=(r"models?", r"weights", r"parameters", r"fine-?tun(?:e|ed|ing)", r"inference"),
    ),
    Rule(
        "research",
        strong=(r"papers?", r"arxiv", r"researchers?", r"study", r"benchmarks?", r"datasets?"),
        weak=(r"research", r"experiments?", r"findings", r"universit(?:y|ies)", r"scientists?"),
    ),
    Rule(
        "products",
        strong=(
            r"apps?",
            r"chatbots?",
            r"assistants?",
            r"ChatGPT",
            r"Copilot",
            r"features?",
            r"subscriptions?",
        ),
        weak=(r"users?", r"devices?", r"smartphones?", r"iPhone", r"Android", r"search"),
    ),
    Rule(
        "agents",
        strong=(r"agents?", r"agentic", r"computer use", r"Model Context Protocol", r"MCP"),
        weak=(r"autonomous", r"workflows?", r"automat(?:e|es|ed|ion)"),
    ),
    Rule(
        "coding",
        strong=(
            r"coding",
            r"code",
            r"programming",
            r"developers?",
            r"IDEs?",
            r"GitHub",
            r"SDKs?",
            r"APIs?",
        ),
        weak=(r"software", r"engineers?", r"Python", r"open-source library"),
    ),
    Rule(
        "funding",
        strong=(
            RAISES_MONEY,
            r"funding",
            r"series [a-h]",
            r"seed round",
            r"valuation",
            r"valued at",
            r"IPO",
            r"venture capital",
        ),
        weak=(r"investors?", r"invest(?:s|ed|ments?)", r"backed"),
    ),
    Rule(
        "deals",
        strong=(
            r"acquir(?:es|ed|ing)",
            r"acquisitions?",
            r"mergers?",
            r"partnerships?",
            r"partner(?:s|ed)? with",
            r"licensing (?:deal|agreement)",
        ),
        weak=(r"deals?", r"agreements?", r"contracts?"),
    ),
    Rule(
        "people",
        strong=(
            r"hir(?:es|ed)",
            r"appoint(?:s|ed|ment)",
            r"steps? down",
            r"resign(?:s|ed|ation)",
            r"CEO",
            r"layoffs",
        ),
        weak=(r"executives?", r"co-?founders?", r"talent", r"joins"),
    ),
    Rule(
        "policy & regulation",
        strong=(
            r"regulat(?:ion|ions|ors?|ory)",
            r"legislation",
            r"lawmakers",
            r"executive order",
            r"AI Act",
            r"government",
            POLICY_WORD,
        ),
        weak=(r"federal", r"Senate", r"Congress", r"Parliament", r"EU", r"governance"),
    ),
    Rule(
        "legal",
        strong=(
            r"lawsuits?",
            r"su(?:es|ed|ing)",
            r"courts?",
            r"judges?",
            r"copyright",
            r"antitrust",
            r"settlements?",
        ),
        weak=(r"legal", r"lawyers?", r"litigation"),
    ),
    Rule(
        "safety",
        strong=(
            r"safety",
            r"alignment",
            r"interpretability",
            r"red[- ]team(?:ing)?",
            r"guardrails?",
            r"catastrophic risks?",
            r"responsible scaling",
        ),
        weak=(r"risks?", r"harms?", r"harmful", r"misuse", r"evals?", r"safeguards?"),
    ),
    Rule(
        "security",
        strong=(
            r"cyber(?:security|attacks?)?",
            r"vulnerabilit(?:y|ies)",
            r"hack(?:s|ed|ers?|ing)?",
            r"breach(?:es)?",
            r"malware",
            r"phishing",
            r"prompt injection",
            r"jailbreak(?:s|ing)?",
        ),
        weak=(r"security", r"exploits?", r"attackers?"),
    ),
    Rule(
        "compute & energy",
        strong=(
            r"GPUs?",
            r"chips?",
            r"Nvidia",
            r"data cent(?:er|re)s?",
            r"compute",
            r"energy",
            r"electricity",
            r"power grid",
            r"TPUs?",
            r"semiconductors?",
            r"supercomput(?:er|ers|ing)",
        ),
        weak=(r"power", r"AMD", r"TSMC", r"infrastructure", r"servers?"),
    ),
    Rule(
        "open source",
        strong=(
            r"open[- ]source[ds]?",
            r"open[- ]weights?",
            r"open models?",
            r"Hugging ?Face",
            r"Apache 2\.0",
        ),
        weak=(r"GitHub", r"license", r"community"),
    ),
    Rule(
        "robotics",
        strong=(
            r"robots?",
            r"robotics",
            r"humanoids?",
            r"self-driving",
            r"autonomous vehicles?",
            r"robotaxis?",
        ),
        weak=(r"drones?", r"Waymo", r"hardware"),
    ),
    Rule(
        "health & science",
        strong=(
            r"health(?:care)?",
            r"medical",
            r"medicine",
            r"drugs?",
            r"proteins?",
            r"biology",
            r"clinical",
            r"patients",
            r"climate",
            r"scientific discover(?:y|ies)",
        ),
        weak=(r"science", r"doctors?", r"hospitals?", r"disease", r"genom(?:e|ics)"),
    ),
    Rule(
        "society",
        strong=(
            r"jobs",
            r"workers",
            r"employment",
            r"education",
            r"students",
            r"teachers",
            r"misinformation",
            r"elections?",
            r"children",
        ),
        weak=(r"schools?", r"labor", r"kids", r"society", r"workforce"),
    ),
    Rule(
        "media & creative",
        strong=(
            r"(?:image|video|music) generat(?:ion|or|ors)",
            r"artists?",
            r"films?",
            r"Sora",
            r"Midjourney",
        ),
        weak=(r"music", r"creative", r"creators?", r"video", r"images?"),
    ),
    Rule(
        "business",
        strong=(r"revenue", r"earnings", r"profits?", r"enterprises?", r"customers", r"pricing"),
        weak=(r"market", r"sales", r"stock", r"shares", r"business"),
    ),
    Rule(
        "opinion",
        strong=(r"opinion", r"op-ed", r"essay", r"commentary"),
        weak=(r"argues?", r"I think"),
    ),
)
"""The default rules, one per tag, in taxonomy order."""

TOPICS: tuple[str, ...] = tuple(rule.label for rule in TOPIC_RULES)
"""Every tag :func:`tag_topics` can return besides :data:`FALLBACK_TAG`, in taxonomy order."""


def topic_slug(tag: str) -> str:
    """A tag's URL form: its first word for ``x & y`` tags (``policy & regulation`` →
    ``policy``), else its words joined by hyphens (``open source`` → ``open-source``)."""
    head = tag.split("&")[0].strip().lower()
    return "-".join(head.split())


TOPIC_SLUGS: dict[str, str] = {topic_slug(tag): tag for tag in (*TOPICS, FALLBACK_TAG)}
"""Every tag by its slug (``policy`` → ``policy & regulation``)."""


def tag_topics(
    entries: Sequence[CoverageEntry],
    rules: Sequence[Rule] = TOPIC_RULES,
    *,
    max_tags: int = MAX_TAGS,
) -> tuple[str, ...]:
    """The event's topic tags, strongest first: 1 to ``max_tags`` of them, never empty
    (``("AI",)`` when no rule reaches :data:`MIN_TAG_POINTS`)."""
    scores = rule_scores(entries, rules)
    order = {rule.label: i for i, rule in enumerate(rules)}
    ranked = sorted(
        (label for label, points in scores.items() if points >= MIN_TAG_POINTS),
        key=lambda label: (-scores[label], order[label]),
    )
    return tuple(ranked[:max_tags]) or (FALLBACK_TAG,)
