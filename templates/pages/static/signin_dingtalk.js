// DingTalk free login: ask the DingTalk app for a one-time code and post it to /m/signin/dingtalk.
(function () {
  "use strict";
  var box = document.getElementById("signin");
  var form = document.getElementById("signin-form");
  var status = document.getElementById("signin-status");
  function fail(text) {
    status.textContent = text;
    status.className = "danger";
  }
  var outside = window.dd && window.dd.env && window.dd.env.platform === "notInDingTalk";
  if (!window.dd || typeof window.dd.requestAuthCode !== "function" || outside) {
    fail("请在钉钉里打开本页（从卡片或工作台进入）。");
    return;
  }
  window.dd.requestAuthCode({ corpId: box.dataset.corpId, clientId: box.dataset.clientId })
    .then(function (result) {
      form.elements.code.value = result.code || result.authCode || "";
      form.submit();
    })
    .catch(function (error) {
      fail("钉钉没有给出登录凭证：" + ((error && (error.errorMessage || error.message)) || "请从钉钉里重新打开本页。"));
    });
})();
