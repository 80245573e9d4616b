// A client app's photo upload, as a browser or React Native app built on Apollo Client
// does it: apollo-upload-client's link sends uploadPhoto as a GraphQL multipart request,
// then createPostcard attaches the upload and feed shows the photo.
//
//   node upload.mjs GRAPHQL_URL TOKEN PHOTO_PATH
//
// Prints one JSON object: the three results and every request as it went on the wire
// (tests/system/test_js_upload_client.py checks both).

import { createHash } from "node:crypto";
import { Buffer, File } from "node:buffer";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";

import { ApolloClient, gql, InMemoryCache } from "@apollo/client";
import UploadHttpLink from "apollo-upload-client/UploadHttpLink.mjs";

const [uri, token, photoPath] = process.argv.slice(2);

const UPLOAD = gql`
  mutation Upload($input: UploadPhotoInput!) {
    uploadPhoto(input: $input) {
      upload { id width height blurhash }
      errors { field message code }
    }
  }
`;
const SHARE = gql`
  mutation Share($input: CreatePostcardInput!) {
    createPostcard(input: $input) {
      postcard { id }
      errors { field message code }
    }
  }
`;
const FEED = gql`
  query Feed {
    feed(first: 1) {
      edges {
        node {
          id
          photo { url width height blurhash medium: url(width: 640) small: url(width: 320) }
        }
      }
    }
  }
`;

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

/** The parts of a multipart body: each one's header lines, size and digest (and text,
 * for a part that is not a file); null for a body that is not multipart. */
function parts(body, contentType) {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return null;
  const delimiter = Buffer.from(`\r\n--${boundary[1] ?? boundary[2]}`);
  const found = [];
  // the body starts with the first delimiter, without its leading CRLF
  let start = body.indexOf(delimiter.subarray(2)) + delimiter.length - 2;
  for (;;) {
    const end = body.indexOf(delimiter, start);
    if (end < 0) break;
    const part = body.subarray(start + 2, end); // after the CRLF ending the delimiter line
    const split = part.indexOf("\r\n\r\n");
    const content = part.subarray(split + 4);
    const headers = part.subarray(0, split).toString("latin1").split("\r\n");
    const isFile = headers.some((line) => /filename=/i.test(line));
    found.push({
      headers,
      size: content.length,
      sha256: sha256(content),
      ...(isFile ? {} : { text: content.toString("utf8") }),
    });
    start = end + delimiter.length;
  }
  return found;
}

const requests = [];

/** fetch as the link calls it, recording the request exactly as it is sent. */
async function recordingFetch(input, init) {
  const request = new Request(input, init);
  const body = Buffer.from(await request.clone().arrayBuffer());
  const headers = Object.fromEntries(request.headers);
  if (headers.authorization) headers.authorization = headers.authorization.replace(token, "TOKEN");
  const isJson = headers["content-type"] === "application/json";
  requests.push({
    method: request.method,
    url: request.url,
    headers,
    parts: parts(body, headers["content-type"] ?? ""),
    json: isJson ? JSON.parse(body.toString("utf8")) : null,
  });
  return fetch(request);
}

const client = new ApolloClient({
  cache: new InMemoryCache(),
  link: new UploadHttpLink({
    uri,
    headers: { authorization: `Bearer ${token}` },
    fetch: recordingFetch,
  }),
});

// What an app holds after a file picker: a File with the picture's name and type.
const bytes = await readFile(photoPath);
const file = new File([bytes], basename(photoPath), { type: "image/jpeg" });

const uploaded = await client.mutate({
  mutation: UPLOAD,
  variables: { input: { file, alt: "The pier at dusk" } },
});
const upload = uploaded.data.uploadPhoto.upload;
const shared = await client.mutate({
  mutation: SHARE,
  variables: {
    input: {
      track: { title: "Harvest Moon", artist: "Neil Young" },
      photo: { uploadId: upload?.id ?? null },
    },
  },
});
const feed = await client.query({ query: FEED, fetchPolicy: "network-only" });

process.stdout.write(
  JSON.stringify({
    uploadPhoto: uploaded.data.uploadPhoto,
    createPostcard: shared.data.createPostcard,
    feed: feed.data.feed,
    requests,
  }),
);
