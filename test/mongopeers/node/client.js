// A MongoDB session through the official Node driver, for the end-to-end
// tests: on one connection, a drop, inserts, a find whose cursor needs
// getMore, an update, a delete, an aggregation and a command the server
// does not know. It prints, from the driver's own command monitoring, how
// many times it sent each command ("command NAME N"), how many failed
// ("failed NAME N"), the connections its pool opened ("connections N"),
// then its process id. Each connection, the pool's and the monitor's,
// begins with a handshake the command monitor does not see.
const { MongoClient } = require('mongodb');

async function main() {
  const client = new MongoClient(process.argv[2], { monitorCommands: true, maxPoolSize: 1 });
  const started = {}, failed = {};
  let pooled = 0;
  client.on('connectionCreated', () => { pooled++; });
  client.on('commandStarted', (e) => { started[e.commandName] = (started[e.commandName] || 0) + 1; });
  client.on('commandFailed', (e) => { failed[e.commandName] = (failed[e.commandName] || 0) + 1; });
  await client.connect();
  const items = client.db('shop').collection('nodeitems');
  await items.drop().catch(() => {});
  await items.insertOne({ _id: 0, name: 'node-secret-value' });
  await items.insertMany(Array.from({ length: 250 }, (_, i) => ({ _id: i + 1, n: i + 1 })));
  const found = await items.find({ n: { $gte: 0 } }, { batchSize: 100 }).toArray();
  if (found.length !== 250) throw new Error(`find: ${found.length} documents`);
  await items.updateOne({ _id: 0 }, { $set: { name: 'changed' } });
  await items.deleteOne({ _id: 1 });
  await items.aggregate([{ $match: { n: 7 } }]).toArray();
  await client.db('shop').command({ noSuchCommand: 1 }).then(() => { throw new Error('noSuchCommand succeeded'); }, () => {});
  await client.close();
  for (const name of Object.keys(started).sort()) {
    console.log(`command ${name} ${started[name]}`);
    if (failed[name]) console.log(`failed ${name} ${failed[name]}`);
  }
  console.log(`connections ${pooled}`);
  console.log(`pid ${process.pid}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
