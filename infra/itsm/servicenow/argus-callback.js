/**
 * Business rule "Argus callback" on table incident.
 *
 *   When: after · Insert: yes · Update: yes · Order: 1000
 *   Condition: !current.correlation_id.nil()
 *   (only incidents that carry a Sentinel incident name in correlation_id, i.e. Argus's tickets and
 *   tickets people linked by hand)
 *
 * Tells Argus that an incident changed: POST <Argus>/api/webhooks/itsm/servicenow, signed with the
 * shared secret (Argus secret `itsm-webhook-secret`) the way every Argus webhook is signed:
 *
 *   X-Argus-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>
 *
 * The rule runs "after" (so changes() still sees what this update changed) and sends with
 * executeAsync(), so the person saving the form never waits for Argus. Argus answers 202, or 200
 * for a repeat of the same sys_id + sys_mod_count; it orders callbacks by sys_mod_count, so late or
 * repeated deliveries cannot move a ticket back.
 *
 * System properties (create them under sys_properties, read role: admin):
 *   argus.callback_url     https://argus.example.com/api/webhooks/itsm/servicenow
 *   argus.webhook_secret   the same value as the Argus secret itsm-webhook-secret (type: password2)
 *   argus.webhook_secret_previous  optional: during a rotation, leave empty otherwise
 */
(function executeRule(current, previous /* null when async */) {
  var url = gs.getProperty('argus.callback_url');
  var secret = gs.getProperty('argus.webhook_secret');
  if (!url || !secret) {
    gs.warn('Argus callback: argus.callback_url or argus.webhook_secret is not set; nothing sent for ' + current.getValue('number'));
    return;
  }

  var body = JSON.stringify({
    sys_id: current.getUniqueValue(),
    number: current.getValue('number'),
    state: current.getValue('state'),
    assigned_to: current.getDisplayValue('assigned_to') || '',
    // Only the note added by this update: getJournalEntry(1) is the newest entry, which an update
    // that only changed the state would otherwise send again.
    work_notes: current.work_notes.changes() ? current.work_notes.getJournalEntry(1) : '',
    correlation_id: current.getValue('correlation_id') || '',
    // getValue gives the stored UTC value ("2026-11-21 09:31:02"), whatever the user's time zone.
    sys_updated_on: current.getValue('sys_updated_on'),
    sys_mod_count: String(current.getValue('sys_mod_count'))
  });

  var t = String(Math.floor(new GlideDateTime().getNumericValue() / 1000));
  var header = 't=' + t + ',v1=' + hmacHex(secret, t + '.' + body);

  var request = new sn_ws.RESTMessageV2();
  request.setEndpoint(url);
  request.setHttpMethod('post');
  request.setRequestHeader('Content-Type', 'application/json');
  request.setRequestHeader('X-Argus-Signature', header);
  request.setRequestBody(body);
  request.setHttpTimeout(10000);
  request.executeAsync();

  /** Hex HMAC-SHA256; GlideCertificateEncryption takes a Base64 key and answers Base64. */
  function hmacHex(key, data) {
    var mac = new GlideCertificateEncryption().generateMac(GlideStringUtil.base64Encode(key), 'HmacSHA256', data);
    var bytes = GlideStringUtil.base64DecodeAsBytes(mac);
    var hex = '';
    for (var i = 0; i < bytes.length; i++) {
      var b = (bytes[i] & 0xff).toString(16);
      hex += b.length === 1 ? '0' + b : b;
    }
    return hex;
  }
})(current, previous);
