// Accessibility checks evaluated in the page by test_browser_accessibility.py.
//
// The file is one function expression: Playwright's page.evaluate calls it with
// {check: "..."} and it returns a list of problems, each a string naming the element
// (a short CSS path and its text) and the values that failed. Checks:
//   structure     landmarks, headings, accessible names, form labels, link text, unique ids
//   contrast      WCAG 2.x contrast of every visible text against its effective background
//   overflow      horizontal scrolling of the page (and the elements sticking out)
//   focusMark     record document.activeElement as tab stop number `index` with its
//                 focused style (returns [description, style JSON, inMain, isSkip])
//   unfocused     the styles of the recorded tab stops once nothing is focused
//                 (returns the unfocused style JSON of each stop, in order)
//   activeElement the focused element: [description, tag name, id]
({ check, index }) => {
  const problems = [];

  const describe = (el) => {
    const parts = [];
    let node = el;
    for (let depth = 0; node && node.nodeType === 1 && depth < 4; depth += 1) {
      let part = node.localName;
      if (node.id) {
        part += `#${node.id}`;
        parts.unshift(part);
        break;
      }
      const classes = typeof node.className === "string" ? node.className.trim() : "";
      if (classes) part += "." + classes.split(/\s+/).slice(0, 2).join(".");
      parts.unshift(part);
      node = node.parentElement;
    }
    const text = (el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 50);
    return `${parts.join(" > ")}${text ? ` "${text}"` : ""}`;
  };

  const hidden = (el) => {
    if (el.closest("[hidden], [aria-hidden='true']")) return true;
    return typeof el.checkVisibility === "function"
      ? !el.checkVisibility({ checkVisibilityCSS: true })
      : el.getClientRects().length === 0;
  };

  // A rough accessible name: aria-labelledby, aria-label, then content (img alt, svg title).
  const nameOf = (el) => {
    const labelledby = el.getAttribute("aria-labelledby");
    if (labelledby) {
      const text = labelledby
        .split(/\s+/)
        .map((id) => document.getElementById(id))
        .filter(Boolean)
        .map((ref) => ref.textContent)
        .join(" ")
        .trim();
      if (text) return text;
    }
    const label = (el.getAttribute("aria-label") || "").trim();
    if (label) return label;
    if (el.localName === "img") return (el.getAttribute("alt") || "").trim();
    if (el.localName === "svg") {
      const title = el.querySelector(":scope > title");
      if (title && title.textContent.trim()) return title.textContent.trim();
    }
    let text = "";
    for (const child of el.childNodes) {
      if (child.nodeType === 3) text += child.textContent;
      else if (child.nodeType === 1 && child.getAttribute("aria-hidden") !== "true") {
        if (child.localName === "img") text += child.getAttribute("alt") || "";
        else if (child.localName !== "title") text += " " + nameOf(child);
      }
    }
    text = text.replace(/\s+/g, " ").trim();
    if (text) return text;
    return (el.getAttribute("title") || "").trim();
  };

  // ---- structure --------------------------------------------------------------------
  const structure = () => {
    const sectioning = "article, aside, main, nav, section";
    const mains = [...document.querySelectorAll("main, [role='main']")];
    if (mains.length !== 1) {
      problems.push(`landmarks: ${mains.length} main landmarks (want 1): ` +
        mains.map(describe).join("; "));
    }
    const banners = [...document.querySelectorAll("header, [role='banner']")].filter(
      (el) => el.getAttribute("role") === "banner" || !el.parentElement.closest(sectioning));
    if (banners.length !== 1) problems.push(`landmarks: ${banners.length} banners (want 1)`);
    const footers = [...document.querySelectorAll("footer, [role='contentinfo']")].filter(
      (el) => el.getAttribute("role") === "contentinfo" ||
        !el.parentElement.closest(sectioning));
    if (footers.length !== 1) problems.push(`landmarks: ${footers.length} contentinfo (want 1)`);
    const navs = [...document.querySelectorAll("nav, [role='navigation']")];
    if (navs.length > 1) {
      const names = new Map();
      for (const nav of navs) {
        const labelled = nav.getAttribute("aria-label") || nav.getAttribute("aria-labelledby");
        const name = labelled ? nameOf(nav) : "";
        if (!name) problems.push(`landmarks: nav without a label: ${describe(nav)}`);
        else if (names.has(name)) problems.push(`landmarks: two navs named "${name}"`);
        else names.set(name, nav);
      }
    }

    const h1s = [...document.querySelectorAll("h1")];
    if (h1s.length !== 1) {
      problems.push(`headings: ${h1s.length} h1 (want 1): ` + h1s.map(describe).join("; "));
    }
    const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
      .filter((el) => !hidden(el));
    let previous = 0;
    for (const heading of headings) {
      const level = Number(heading.localName[1]);
      if (previous === 0 && level !== 1) {
        problems.push(`headings: the first heading is h${level}, not h1: ${describe(heading)}`);
      } else if (level > previous + 1 && previous !== 0) {
        problems.push(`headings: h${previous} then h${level} (skips a level): ` +
          describe(heading));
      }
      if (!heading.textContent.trim()) problems.push(`headings: empty ${describe(heading)}`);
      previous = level;
    }

    for (const img of document.querySelectorAll("img")) {
      if (!img.hasAttribute("alt") && !nameOf(img)) {
        problems.push(`names: img without alt: ${img.getAttribute("src")}`);
      }
    }
    for (const svg of document.querySelectorAll("svg[role='img'], [role='img']")) {
      if (!nameOf(svg)) problems.push(`names: role=img without a name: ${describe(svg)}`);
    }
    for (const svg of document.querySelectorAll("svg:not([role]):not([aria-hidden='true'])")) {
      if (!svg.parentElement.closest("svg") && svg.querySelector("title") === null) {
        problems.push(`names: svg neither role=img nor aria-hidden: ${describe(svg)}`);
      }
    }

    const controls = document.querySelectorAll(
      "input:not([type='hidden']):not([type='submit']):not([type='button'])" +
      ":not([type='reset']):not([type='image']), select, textarea");
    for (const control of controls) {
      const labels = [...(control.labels || [])].map((l) => l.textContent.trim()).join(" ");
      if (!labels && !nameOf(control)) {
        problems.push(`forms: control without a label: ${describe(control)}`);
      }
    }
    for (const button of document.querySelectorAll(
      "button, input[type='submit'], input[type='button'], input[type='reset']")) {
      const name = button.localName === "input" ? (button.value || nameOf(button)) :
        nameOf(button);
      if (!name) problems.push(`forms: button without text: ${describe(button)}`);
    }

    for (const link of document.querySelectorAll("a[href]")) {
      if (!nameOf(link)) {
        problems.push(`links: no discernible text: ${describe(link)} ` +
          `href=${link.getAttribute("href")}`);
      }
    }

    const seen = new Map();
    for (const el of document.querySelectorAll("[id]")) {
      seen.set(el.id, (seen.get(el.id) || 0) + 1);
    }
    for (const [id, count] of seen) {
      if (count > 1) problems.push(`ids: id "${id}" used ${count} times`);
    }
    for (const el of document.querySelectorAll("[aria-labelledby], [aria-describedby]")) {
      for (const attr of ["aria-labelledby", "aria-describedby"]) {
        for (const id of (el.getAttribute(attr) || "").split(/\s+/).filter(Boolean)) {
          if (!document.getElementById(id)) {
            problems.push(`ids: ${attr}="${id}" points nowhere: ${describe(el)}`);
          }
        }
      }
    }
    return problems;
  };

  // ---- contrast ---------------------------------------------------------------------
  const parseColor = (value) => {
    let m = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/
      .exec(value);
    if (m) {
      let alpha = m[4] === undefined ? 1 : parseFloat(m[4]);
      if (m[4] && m[4].endsWith("%")) alpha /= 100;
      return [parseFloat(m[1]), parseFloat(m[2]), parseFloat(m[3]), alpha];
    }
    m = /^color\(srgb\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)(?:\s*\/\s*([\d.]+))?\s*\)$/.exec(value);
    if (m) {
      const alpha = m[4] === undefined ? 1 : parseFloat(m[4]);
      return [m[1] * 255, m[2] * 255, m[3] * 255, alpha];
    }
    return null;
  };
  const over = (top, bottom) => {
    // top (with alpha) composited over an opaque bottom
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const luminance = (rgb) => {
    const channel = (v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2]);
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const hex = (rgb) => "#" + rgb.slice(0, 3)
    .map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");

  // The background under `el`: its own and its ancestors' background colours, blended
  // from the canvas up; null when a background image makes it unknowable.
  const canvas = () => {
    const root = parseColor(getComputedStyle(document.documentElement).backgroundColor);
    if (root && root[3] > 0) return over(root, [255, 255, 255, 1]);
    const body = parseColor(getComputedStyle(document.body).backgroundColor);
    if (body && body[3] > 0) return over(body, [255, 255, 255, 1]);
    const dark = matchMedia("(prefers-color-scheme: dark)").matches &&
      /dark/.test(getComputedStyle(document.documentElement).colorScheme);
    return dark ? [18, 18, 18, 1] : [255, 255, 255, 1];
  };
  const backgroundOf = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      if (node instanceof SVGElement && node.localName !== "svg") continue;
      const style = getComputedStyle(node);
      if (style.backgroundImage && style.backgroundImage !== "none") return null;
      const color = parseColor(style.backgroundColor);
      if (color && color[3] > 0) {
        layers.push(color);
        if (color[3] >= 1) break;
      }
    }
    let result = layers.length && layers[layers.length - 1][3] >= 1 ? null : canvas();
    for (const layer of layers.reverse()) {
      result = result === null ? layer : over(layer, result);
    }
    return result;
  };
  const opacityOf = (el) => {
    let opacity = 1;
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      opacity *= parseFloat(getComputedStyle(node).opacity);
    }
    return opacity;
  };

  const contrast = () => {
    const scrollWidth = document.documentElement.scrollWidth;
    const all = document.body.querySelectorAll("*");
    for (const el of all) {
      if (["script", "style", "title", "noscript", "template"].includes(el.localName)) continue;
      const field = ["input", "select", "textarea"].includes(el.localName) &&
        !["hidden", "checkbox", "radio", "range", "color"].includes(el.type);
      const hasText = [...el.childNodes].some(
        (n) => n.nodeType === 3 && n.textContent.trim()) ||
        (field && ((el.value || "").trim() || el.localName === "select"));
      if (!hasText || el.disabled || hidden(el)) continue;
      const rect = el.getBoundingClientRect();
      if (rect.width <= 1 || rect.height <= 1) continue;
      if (rect.right <= 0 || rect.left >= scrollWidth) continue; // moved off screen
      const style = getComputedStyle(el);
      if (style.clip === "rect(0px, 0px, 0px, 0px)") continue;
      const svgText = el instanceof SVGElement;
      const foreground = parseColor(svgText ? style.fill : style.color);
      if (!foreground) {
        problems.push(`contrast: cannot read the colour ${svgText ? style.fill : style.color} ` +
          `of ${describe(el)}`);
        continue;
      }
      const background = backgroundOf(el);
      if (!background) continue; // a background image: not measurable here
      const alpha = foreground[3] * opacityOf(el);
      const text = over([foreground[0], foreground[1], foreground[2], alpha], background);
      const size = parseFloat(style.fontSize);
      const bold = parseInt(style.fontWeight, 10) >= 700;
      const large = size >= 24 || (bold && size >= 18.66);
      const need = large ? 3 : 4.5;
      const got = ratio(text, background);
      if (got < need - 0.005) {
        problems.push(`contrast: ${got.toFixed(2)}:1 < ${need}:1 for ${describe(el)}: ` +
          `text ${hex(text)} on ${hex(background)} (${size}px, weight ${style.fontWeight})`);
      }
    }
    return problems;
  };

  // ---- responsive -------------------------------------------------------------------
  const overflow = () => {
    const scroller = document.scrollingElement;
    const width = scroller.clientWidth;
    if (scroller.scrollWidth <= width + 1) return problems;
    problems.push(`overflow: the page scrolls sideways: scrollWidth ${scroller.scrollWidth}` +
      ` > clientWidth ${width}`);
    const wide = [];
    for (const el of document.body.querySelectorAll("*")) {
      if (hidden(el)) continue;
      const rect = el.getBoundingClientRect();
      if (rect.right > width + 1 && rect.width > 0) {
        // report the outermost sticking-out elements only
        const parent = el.parentElement;
        const parentRect = parent ? parent.getBoundingClientRect() : null;
        if (!parentRect || parentRect.right <= width + 1) {
          wide.push(`${describe(el)} right=${Math.round(rect.right)} ` +
            `width=${Math.round(rect.width)}`);
        }
      }
    }
    for (const line of wide.slice(0, 10)) problems.push(`overflow:   ${line}`);
    return problems;
  };

  // ---- keyboard ---------------------------------------------------------------------
  const focusStyle = (el) => {
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0 &&
      (parseColor(style.outlineColor) || [0, 0, 0, 1])[3] > 0
      ? `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}` : "none";
    return { outline, boxShadow: style.boxShadow };
  };

  if (check === "structure") return structure();
  if (check === "contrast") return contrast();
  if (check === "overflow") return overflow();
  if (check === "focusMark") {
    const el = document.activeElement;
    window.__a11yStops = window.__a11yStops || [];
    if (!el || el === document.body) return ["(nothing focused)", "{}", false, false];
    window.__a11yStops[index] = el;
    const rect = el.getBoundingClientRect();
    const style = focusStyle(el);
    style.visible = !hidden(el) && rect.width > 0 && rect.height > 0;
    return [
      describe(el),
      JSON.stringify(style),
      Boolean(document.querySelector("main") && document.querySelector("main").contains(el)),
      el.matches("a.skip[href='#content']"),
    ];
  }
  if (check === "unfocused") {
    if (document.activeElement) document.activeElement.blur();
    return (window.__a11yStops || []).map((el) => JSON.stringify(focusStyle(el)));
  }
  if (check === "activeElement") {
    const el = document.activeElement;
    return [el ? describe(el) : "(none)", el ? el.localName : "", el ? el.id : ""];
  }
  throw new Error(`unknown check ${check}`);
}
