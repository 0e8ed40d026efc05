/* infrabrief offline search. The index is search-index.js, added as a plain <script> element
   the first time the reader turns to the search box (no fetch, no modules), so it works from
   file:// with no server and pages that are only read never load it. Without JavaScript the
   search form stays hidden and the navigation (deals, companies, topics) is the way in. */
(function () {
  "use strict";
  var form = document.getElementById("site-search");
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!form || !input || !list || !status) {
    return;
  }
  var root = document.documentElement.getAttribute("data-root") || "";
  /* The index format this script reads. An index from another version of infrabrief (a copy
     left in a cache) would give wrong results, so it is refused with a note instead. */
  var FORMAT = 2;
  var index = null;
  var terms = [];
  var loading = false;
  var refused = "";

  /* Adds search-index.js to the page once; shows the pending query when it arrives. */
  function load() {
    if (index || loading) { return; }
    loading = true;
    status.textContent = "Loading the search index";
    var script = document.createElement("script");
    script.src = root + "search-index.js";
    script.onload = function () {
      var loaded = window.INFRABRIEF_SEARCH;
      status.textContent = "";
      if (!loaded || loaded.format !== FORMAT) {
        refused = "Search is out of date on this copy of the site: reload the page to search.";
      } else {
        index = loaded;
        terms = Object.keys(index.terms).sort();
      }
      if (input.value.trim() !== "") { show(input.value); }
    };
    script.onerror = function () {
      loading = false;
      status.textContent = "The search index could not be loaded.";
    };
    document.head.appendChild(script);
  }
  var kinds = { brief: "Brief", deal: "Deal", company: "Company", page: "Page", data: "Data" };
  var limit = 12;
  var results = [];
  var active = -1;

  form.hidden = false;

  function tokenize(query) {
    return query.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (word) {
      return word.length > 1 || /^[0-9]$/.test(word);
    });
  }

  /* Terms starting with `prefix`, found by binary search in the sorted term list. */
  function withPrefix(prefix) {
    var low = 0;
    var high = terms.length;
    while (low < high) {
      var mid = (low + high) >> 1;
      if (terms[mid] < prefix) { low = mid + 1; } else { high = mid; }
    }
    var found = [];
    for (var i = low; i < terms.length && found.length < 60 && terms[i].indexOf(prefix) === 0; i++) {
      found.push(terms[i]);
    }
    return found;
  }

  /* Scores per document for one query word: exact matches count fully, prefix matches less. */
  function scoresFor(word) {
    var scores = {};
    withPrefix(word).forEach(function (term) {
      var factor = term === word ? 1 : 0.6;
      var postings = index.terms[term];
      /* Pairs of (gap from the previous document, weight), documents in ascending order. */
      var doc = 0;
      for (var i = 0; i < postings.length; i += 2) {
        doc += postings[i];
        scores[doc] = Math.max(scores[doc] || 0, postings[i + 1] * factor);
      }
    });
    return scores;
  }

  function search(query) {
    var words = tokenize(query);
    if (words.length === 0 || !index) { return []; }
    var perWord = words.map(scoresFor);
    var total = {};
    var hits = {};
    perWord.forEach(function (scores) {
      Object.keys(scores).forEach(function (doc) {
        total[doc] = (total[doc] || 0) + scores[doc];
        hits[doc] = (hits[doc] || 0) + 1;
      });
    });
    var docs = Object.keys(total);
    var all = docs.filter(function (doc) { return hits[doc] === words.length; });
    var chosen = all.length > 0 ? all : docs;
    chosen.sort(function (a, b) {
      return (total[b] - total[a]) || (Number(a) - Number(b));
    });
    return chosen.slice(0, limit).map(function (doc) { return index.docs[Number(doc)]; });
  }

  function setActive(position) {
    var items = list.querySelectorAll("[role=option]");
    if (items.length === 0) { active = -1; return; }
    active = (position + items.length) % items.length;
    items.forEach(function (item, i) {
      item.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  function close() {
    list.hidden = true;
    list.textContent = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  /* One line in place of the results, and the same words for screen readers. */
  function note(text) {
    list.textContent = "";
    var line = document.createElement("li");
    line.className = "search-empty";
    line.textContent = text;
    list.appendChild(line);
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    status.textContent = text;
  }

  function show(query) {
    if (refused) {
      results = [];
      if (query.trim() === "") { close(); } else { note(refused); }
      return;
    }
    if (!index) { load(); return; }
    results = search(query);
    list.textContent = "";
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (query.trim() === "") {
      close();
      status.textContent = "";
      return;
    }
    if (results.length === 0) {
      var empty = document.createElement("li");
      empty.className = "search-empty";
      empty.textContent = "Nothing found. Try a company, a chip or a deal.";
      list.appendChild(empty);
    }
    results.forEach(function (doc, i) {
      var item = document.createElement("li");
      item.id = "search-result-" + i;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      var link = document.createElement("a");
      link.href = root + doc[2];
      link.tabIndex = -1;
      var kind = document.createElement("span");
      kind.className = "search-kind search-kind-" + doc[0];
      kind.textContent = kinds[doc[0]] || doc[0];
      var title = document.createElement("span");
      title.className = "search-title";
      title.textContent = doc[1];
      var snippet = document.createElement("span");
      snippet.className = "search-snippet";
      snippet.textContent = doc[3];
      link.appendChild(kind);
      link.appendChild(title);
      link.appendChild(snippet);
      item.appendChild(link);
      item.addEventListener("mousemove", function () { setActive(i); });
      list.appendChild(item);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    status.textContent = results.length === 1 ? "1 result" : results.length + " results";
  }

  input.addEventListener("focus", load);
  input.addEventListener("input", function () { show(input.value); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (list.hidden) { show(input.value); }
      setActive(active + 1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      setActive(active - 1);
    } else if (event.key === "Enter") {
      event.preventDefault();
      var chosen = results[active >= 0 ? active : 0];
      if (chosen) { window.location.href = root + chosen[2]; }
    } else if (event.key === "Escape") {
      if (input.value === "" || list.hidden) { input.blur(); }
      input.value = "";
      status.textContent = "";
      close();
    }
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  document.addEventListener("click", function (event) {
    if (!form.contains(event.target)) { close(); }
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable);
    if (event.key === "/" && !typing) {
      event.preventDefault();
      input.focus();
    }
  });
})();
