/* Answering a survey: show a question only when the answer it depends on is given, keep
   unfinished answers (a named survey's on the server as they are typed, an anonymous survey's
   on this device only), and keep the form when the connection drops. No library needed. */
(function () {
  "use strict";

  function chosen(form, name) {
    var found = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (el) {
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      if (el.value !== "") found.push(el.value);
    });
    return found;
  }

  function branch(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (section) {
      var name = section.getAttribute("data-show-if");
      var parent = document.getElementById("sec-" + name);
      var values = chosen(form, name);
      var show = false;
      if (parent && !parent.hidden) {
        if (section.hasAttribute("data-show-choice")) {
          show = values.indexOf(section.getAttribute("data-show-choice")) >= 0;
        } else {
          var wanted = Number(section.getAttribute("data-show-value"));
          show = values.some(function (v) { return v.trim() !== "" && Number(v) === wanted; });
        }
      }
      section.hidden = !show;
    });
  }

  function fields(form) {
    var data = {};
    form.querySelectorAll("[name^=q]").forEach(function (el) {
      if (el.type === "file") return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      (data[el.name] = data[el.name] || []).push(el.value);
    });
    return data;
  }

  function restore(form, data) {
    form.querySelectorAll("[name^=q]").forEach(function (el) {
      var values = data[el.name];
      if (!values || el.type === "file") return;
      if (el.type === "radio" || el.type === "checkbox") el.checked = values.indexOf(el.value) >= 0;
      else el.value = values[0];
    });
  }

  function store(key) {
    try { return window.localStorage; } catch (e) { return null; }
  }

  var timer = null;

  function saveDraft(form) {
    var status = form.querySelector("#draft-status");
    var key = form.getAttribute("data-local-draft");
    if (key) {
      var box = store(key);
      if (box) box.setItem(key, JSON.stringify(fields(form)));
      return;
    }
    var url = form.getAttribute("data-draft-url");
    if (!url) return;
    var body = new FormData(form);
    Array.from(body.keys()).forEach(function (name) {
      if (body.get(name) instanceof File) body.delete(name);
    });
    if (status) status.textContent = form.getAttribute("data-saving");
    fetch(url, { method: "POST", body: body, credentials: "same-origin",
                 headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.text(); })
      .then(function (text) { if (status) status.textContent = text.trim(); })
      .catch(function () { if (status) status.textContent = form.getAttribute("data-unsaved"); });
  }

  function changed(event) {
    var form = event.target.closest && event.target.closest("form.survey-form");
    if (!form) return;
    branch(form);
    if (timer) window.clearTimeout(timer);
    var wait = form.getAttribute("data-local-draft") ? 200 : 1000;
    timer = window.setTimeout(function () { saveDraft(form); }, wait);
  }

  function start(root) {
    root.querySelectorAll("[data-survey-done]").forEach(function (done) {
      var box = store();
      if (box) box.removeItem(done.getAttribute("data-survey-done"));
    });
    root.querySelectorAll("form.survey-form").forEach(function (form) {
      var key = form.getAttribute("data-local-draft");
      var box = key ? store(key) : null;
      if (box && form.hasAttribute("data-fresh")) {
        var saved = box.getItem(key);
        if (saved) {
          try {
            restore(form, JSON.parse(saved));
            var note = document.querySelector(".local-restored");
            if (note) note.hidden = false;
          } catch (e) { box.removeItem(key); }
        }
      }
      branch(form);
    });
    var refusal = root.querySelector("#survey-refusal");
    if (refusal) refusal.focus();
  }

  document.addEventListener("input", changed);
  document.addEventListener("change", changed);
  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("survey-offline");
    if (box) { box.hidden = false; box.focus(); }
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("survey-offline");
    if (box) box.hidden = true;
  });
  document.addEventListener("htmx:afterSwap", function () { start(document); });
  document.addEventListener("DOMContentLoaded", function () { start(document); });
})();
