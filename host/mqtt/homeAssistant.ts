/**
 * Home Assistant MQTT discovery (https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery):
 * one retained config message per entity under `homeassistant/<component>/<object_id>/config`,
 * all reading the board's retained status topic, so a pack appears in Home Assistant (and in
 * Node-RED or Grafana's MQTT source, which read the same status JSON) without hand configuration.
 */
export interface DiscoveryMessage {
  topic: string;
  payload: string;
}

/** HA object ids: [a-zA-Z0-9_-] only. */
function objectId(board: string): string {
  return "zbms_" + board.replace(/[^A-Za-z0-9_-]/g, "_");
}

/** `boardTopic`: the board's topic base (`zbms/<board>`), whose `/status` the entities read. */
export function discoveryMessages(boardTopic: string, board: string, cells: number, temps: number): DiscoveryMessage[] {
  const id = objectId(board);
  const stateTopic = `${boardTopic}/status`;
  const device = { identifiers: [id], name: `zbms ${board}`, manufacturer: "zbms", model: `${cells}-cell Zn pouch pack` };
  const out: DiscoveryMessage[] = [];
  const sensor = (suffix: string, name: string, template: string, unit: string, deviceClass: string): void => {
    out.push({
      topic: `homeassistant/sensor/${id}_${suffix}/config`,
      payload: JSON.stringify({ name, unique_id: `${id}_${suffix}`, state_topic: stateTopic, value_template: template, unit_of_measurement: unit, device_class: deviceClass, state_class: "measurement", device }),
    });
  };
  for (let i = 0; i < cells; i++) {
    sensor(`cell${i + 1}_v`, `cell ${i + 1} voltage`, `{{ value_json.cellV[${i}] }}`, "V", "voltage");
    sensor(`cell${i + 1}_soc`, `cell ${i + 1} SOC`, `{{ value_json.socPct[${i}] | round(1) }}`, "%", "battery");
  }
  for (let k = 0; k < temps; k++) sensor(`temp${k + 1}`, `temperature ${k + 1}`, `{{ value_json.tempC[${k}] }}`, "°C", "temperature");
  sensor("current", "pack current", "{{ value_json.currentA }}", "A", "current");
  out.push({
    topic: `homeassistant/binary_sensor/${id}_alarm/config`,
    payload: JSON.stringify({ name: "alarm", unique_id: `${id}_alarm`, state_topic: stateTopic, value_template: "{{ value_json.alarm }}", device_class: "problem", device }),
  });
  return out;
}
