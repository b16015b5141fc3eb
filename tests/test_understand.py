"""Regression tests for reading free text: crisis verdicts, topics, groupings.

Every message here is written for these tests, in the ways young people,
parents and professionals type (slang, misspellings, no punctuation). None is
copied from the evaluation set, which is for measuring only.
"""
from __future__ import annotations

import io
import json

import pytest

from bot.classify import run as classify_run
from bot.knowledge import load
from bot.understand import Understander, Understanding


@pytest.fixture(scope="module")
def understander() -> Understander:
    return Understander(load())


def verdict(understander: Understander, text: str, audience: str | None = None) -> str:
    return understander.read(text, audience).crisis


# --- crisis: must lead with urgent help ---------------------------------------------

CRISIS = [
    'i think im going to kill myself tonight',
    'honestly i just want to die',
    'i dont want to live anymore',
    'i dont want to be alive',
    'i want to die so bad',
    'wanna kms',
    'gonna kms tbh',
    'i keep thinking about unaliving',
    'been having sewerslide thoughts all week',
    'thinking of ctb',
    'im suicidle',
    'feeling really suicidal today',
    'i feel suicidal',
    'had suicidal thoughts again last night',
    'i wish i was dead',
    'i wish i had never been born',
    'everyone would be better off without me',
    'my family would be better off if i wasnt here',
    'nobody would care if i died',
    'no one would notice if i disappeared forever',
    'i want to go to sleep and not wake up',
    'hope i dont wake up tomorrow',
    'theres nothing left to live for',
    'life isnt worth living anymore',
    'im done with living',
    'i cant do this anymore i want it all to end',
    'ive decided im going to end it',
    'im going to end it all this weekend',
    'i have a plan to end my life',
    'ive been looking up how many paracetamol it takes',
    'how many pills would it take to die',
    'i took an overdose',
    'i overdosed an hour ago',
    'ive just taken 30 paracetamol',
    'i swallowed a whole packet of my mums tablets',
    'took a load of pills and now i feel sick and dizzy',
    'i necked loads of my antidepressants',
    'i drank bleach',
    'im standing on the bridge and i dont know why im writing this',
    'sat by the railway tracks thinking about it',
    'i want to jump in front of a train',
    'i keep thinking about stepping in front of a bus',
    'im going to hang myself',
    'ive been stockpiling my tablets',
    'ive written goodbye letters to everyone',
    'this is goodbye. love you all',
    'ive given away all my stuff and i feel weirdly calm',
    'my friend just texted me saying goodbye forever and now shes not answering',
    'my mate posted bye love you all on his story and his phone is off',
    "my best friend says she's going to end it tonight",
    'my friend told me she wants to kill herself',
    'my boyfriend said he wants to die and hes got pills',
    'my sister tried to hang herself last night',
    'my son has taken an overdose',
    'my daughter told me she wants to die',
    'my 14 year old said he doesnt want to be alive anymore',
    'my daughter has gone missing and left a note',
    'our son has run away and left a goodbye message',
    'found a suicide note in her bag',
    'found a note and some of my tablets are missing',
    'pupil disclosed suicidal ideation with a plan',
    'Y10 student expressing active suicidal thoughts, has a method in mind',
    'young person has made an attempt on their life this weekend',
    'student overdosed on paracetamol last night and is in school today',
    'patient 15yo presenting with intent to end life',
    'YP disclosed a ligature attempt yesterday',
    'i cut myself last night',
    'i cut again tonight',
    'i just cut and it wont stop bleeding',
    'cut too deep and theres loads of blood',
    'i self harmed today',
    "sh'd again",
    'i relapsed and cut last night',
    'been self harming every day this week',
    'i burnt myself with a lighter earlier',
    'burned my arm on purpose this morning',
    'ive been scratching my arms until they bleed',
    'i keep hitting myself and my face is bruised from today',
    'i punched the wall till my knuckles bled again',
    'holding a blade right now',
    'got the razor out, talk me out of it',
    'the urges are so strong right now and i have a blade',
    'i have everything ready and the urges wont stop',
    'how do i hide my cuts from my mum, i did them yesterday',
    'found fresh cuts on my sons arms',
    'my daughter has been cutting and i found blood on her towel today',
    'my 13yo burnt herself with a hair straightener last night',
    'i found bloody tissues and a razor blade in her bin',
    'my son is banging his head on the floor and its bleeding',
    'pupil has self harmed in the toilets this morning',
    'student has cuts on her wrist that look infected',
    'Y8 disclosed DSH last night, wounds look deep',
    'my friend showed me the cuts she did last night',
    'my mate sent me a picture of her arm all cut up today',
    'the voices are telling me to kill myself',
    'the voice says i have to hurt my mum',
    'voices keep telling me to jump off something',
    'i hear someone telling me to cut myself',
    'my son hears voices telling him to hurt people',
    'my daughter is hearing voices that tell her to die',
    'my son hasnt slept in days and thinks the neighbours are poisoning him',
    'my daughter is very confused and agitated and thinks were impostors',
    'he is not making sense and hasnt slept for 3 days',
    'my dad hits me and im scared to go home',
    'my stepdad beats me',
    'my mums boyfriend hit me last night and said hed do it again',
    'my dad hit me with a belt today',
    "im scared to go home tonight, he'll hurt me",
    'im not safe at home',
    'he touches me when mum is at work',
    'my uncle does stuff to me and says not to tell',
    'someone raped me last night',
    'i was sexually assaulted at a party on saturday',
    'my parents are forcing me to marry someone abroad',
    'theyre taking me to pakistan to get married and i dont want to',
    'my dad is hitting my mum right now',
    'mums boyfriend is beating her up downstairs',
    'i can hear him hitting her and im hiding upstairs with my brother',
    'my brother has a knife and is threatening my mum',
    'my son is smashing the house up and threatening us with a knife',
    'theres a lad outside school with a knife waiting for me',
    'they said theyll stab me after school today',
    'my dad kicked me out and i have nowhere to sleep tonight',
    'i got thrown out and im sleeping rough',
    'im 15 and ive got nowhere to stay tonight',
    'my 14 year old daughter is missing since last night',
    'our son went missing this afternoon and isnt answering his phone',
    '13yo CIC missing from placement, links to older men',
    'young person missing overnight, known CSE risk',
    'they make me carry drugs and say theyll hurt my family if i stop',
    'i owe them money and they want me to do a run tonight or theyll hurt me',
    'some guy is threatening to send my nudes to everyone unless i pay',
    'hes blackmailing me with pictures and says hell post them tonight',
    'a man i met online wants to meet me tonight and said not to tell anyone',
    'my mum took loads of her tablets and wont wake up',
    'my friend is drunk and we cant wake her up',
    'my mate took some pills and is having a seizure',
    'my friend has passed out and isnt breathing properly',
    'my daughter with anorexia collapsed and her heart is racing',
    'she hasnt eaten for a week and has just fainted',
    'im so dizzy i cant stand up and i havent eaten in days, my heart keeps skipping',
    'i cant go on. ive made my mind up and i know how im going to do it',
    'nobody would even miss me if i was gone',
    'i just want the pain to stop forever. ive written a letter to my mum',
    'whats the quickest way to die',
    'whats the most painless way to kill yourself',
    'i tried to kill myself last week',
    'attempted suicide on saturday and nobody knows',
    'i swallowed 16 ibuprofen',
    'i took my whole bottle of sertraline',
    'thinking about dying all the time',
    'i think about killing myself every day',
    'sometimes i think about ending it but i probably wont',
    'i dont want to wake up tomorrow',
    'my mate died by suicide and i want to join him',
    'id rather be dead',
    'i might as well be dead',
    'better off dead honestly',
    'i dnt wanna be here no more',
    'honestly cba with life anymore i just wanna go to sleep forever',
    'feel like ending it all tbh',
    'im gonna do it tonight nobody will miss me',
    'want to unalive myself',
    'ive had enough of living',
    'i keep planning how i would kill myself',
    'ive googled ways to end it',
    'i have pills saved up and i think tonight is the night',
    'i just took everything in the medicine cabinet',
    'took a massive overdose please help',
    'swallowed about 40 tablets',
    'overdosed on my mums antidepressants',
    'im in the bathroom with a knife and i want to use it on myself',
    'cutting rn',
    'just cut my wrists',
    'i just burned my leg with the straighteners on purpose',
    'been cutting my thighs since sunday',
    'i slit my arm and theres blood everywhere',
    'my cuts are all infected and i cant tell anyone',
    'sh relapse last night after 3 months',
    'i hurt myself again',
    'i did it again last night and its worse this time',
    'i want to hurt myself so bad right now',
    'the urge to cut is so strong tonight',
    'my daughter has taken a load of paracetamol',
    'my son cut his arms last night and wont let me see them',
    'found my son trying to hang himself',
    'my daughter says she wants to jump off the bridge',
    'my 16yo texted me goodbye and now his phone is switched off',
    'my daughter has been missing for 2 days',
    'my son didnt come home last night and its not like him',
    'our 12 year old hasnt come home from school and its dark',
    '15yo disclosed sexual abuse by stepfather, he is at home tonight',
    'Y6 pupil came in with bruises and says dad punched her last night',
    "child disclosed that mum's partner hurts her and she is scared to go home",
    'student says older boys are forcing her to have sex with their friends',
    'pupil arrived with injuries and reports being assaulted at home',
    'LAC young person absconded with an adult male, whereabouts unknown',
    'yp has taken an od and is in a&e',
    'GP here: 16yo attended after overdose this morning, medically fit, needs MH assessment today',
    'im being followed by a man and im scared hes going to hurt me',
    'there are men outside my house saying they will stab me',
    'some lads have jumped my brother and hes bleeding loads',
    'my dad is drunk and smashing things and hitting mum right now',
    'hes got my mum by the throat',
    'my mum said shes going to kill herself and locked herself in the bathroom',
    'my dad took a load of pills and is asleep on the floor and wont wake',
    'im scared my stepdad will kill me when he gets home he hit me last week',
    'the voices say i dont deserve to live and i should end it',
    'i keep hearing a voice telling me to hurt my baby',
    'my son says god told him to punish us and he has a knife',
    'my daughter thinks the tv is talking to her and hasnt slept for days and keeps screaming',
    'my anorexic daughter is so weak she cant get up the stairs and is cold and blue',
    'she has barely eaten in 10 days and now she is fainting',
    'i havent drunk anything in 2 days and my hearts racing',
    'being sick with blood after purging',
    'my bf says hell share my pics if i dont send more',
    'a man online says he will post my videos unless i pay him',
    'i was raped and it happened yesterday',
    'my uncle touched me again at the weekend',
    'some older lads gave me a bag to hold and said if i lose it theyll hurt my family',
    'i have to go to the trap house tonight or theyll come for my mum',
    'kicked out at 16 no where to go sleeping in the park tonight',
    'mam threw me out and ive got nowhere to sleep',
    'i cant keep going like this i want to end my suffering',
    'everyone would be happier if i just wasnt around anymore',
    'im planning to take all my pills tonight when everyone is asleep',
    'i feel like theres no way out and ive started giving my things away',
    'just want to die rn honestly',
    'i just want to sleep and never wake up again',
    'i hate myself so much i want to be dead',
    'what would happen if i took 50 paracetamol',
    'i bought a load of paracetamol today and im going to take them',
    'my mate said he is going to jump off the multi storey tonight',
    'my girlfriend keeps saying she wants to die and tonight she sent me a goodbye text',
    'my brother locked himself in his room and said hes going to end it',
    'found my daughter with a belt round her neck',
    'my son is threatening to kill himself and has a knife',
    'daughter took an overdose of her antidepressants, what do i do',
    'just cut myself really deep and i cant stop it',
    'i keep burning myself with a lighter, did it 3 times today',
    'i scratched my arm with a compass in maths till it bled',
    'my friend keeps cutting herself and showed me new ones today',
    'theres blood all over my sleeve from cutting this morning',
    'i want to hurt myself so bad tonight i have the blade ready',
    'school nurse: pupil with fresh self inflicted wounds to forearm this morning',
    'he hit me so hard i have a black eye and hes coming back tonight',
    'my foster carer hits me and i dont want to go back',
    'mums new boyfriend keeps coming into the bathroom when im in there and touching me',
    'im 14 and a man i met on snapchat is picking me up tonight to take me to a party',
    'older lads keep giving me weed and now they want me to sell for them or else',
    'i cant get my mum to wake up and theres empty pill packets everywhere',
    'my friend drank a whole bottle of vodka and is passed out and breathing weird',
    'the voices say i need to kill my family',
    'theres a voice in my head telling me to jump',
    'my son thinks hes being poisoned and has not slept for 4 days, hes shouting at us',
    'my 13 year old ran away last night and we dont know where she is',
    'my daughter has been missing since friday',
    'SW: 15yo missing from care home since yesterday, history of CSE',
    'teacher here: Y9 student just told me her dad beat her last night and she is scared to go home',
    'GP: 17yo disclosed plan to overdose this weekend, has tablets stored',
    'pupil says she is going to kill herself after school today',
    'young person has sent a message to a friend saying goodbye, police aware',
    'im outside and ive got nowhere to go, mum locked me out for the night',
    'im 12 and my mum has left me on my own for 3 days with no food',
    'my stepdad has a gun and is threatening to shoot us',
    'help my friend is fitting and wont respond',
    'my daughter with bulimia is throwing up blood and says her chest hurts',
    'i have taken 12 of my sleeping tablets',
    'honestly id be better off dead than going back to that house',
    'i wrote a note for my mum and im going to do it tonight',
    'i dont see a future for myself and ive been looking at ways to do it',
    'tired of being a burden, ive made a plan',
    'i think the world would be better without me in it',
    'i want to go to sleep and not wake up ever',
    'my head keeps telling me to end it all',
    'i feel like killing myself sometimes',
    'it would be easier if i was dead',
    'i dont want to be on this earth anymore',
    'i want out of this life',
    'i cant take it anymore i have the pills in front of me',
    'im sat on the edge of the bridge',
    'im at the train station and im thinking of jumping',
    'took a bunch of my brothers adhd meds and my heart is pounding',
    'i drank loads and took some pills to make it all stop',
    'overdosed last night but didnt tell anyone, i feel really ill today',
    'my son has done an overdose, he is 15',
    'my daugter tried to kill her self last night',
    'i think my friend is going to do something to herself tonight, she keeps saying goodbye',
    'my cousin said she is going to end her life tomorrow',
    'i been cutting my arms again, there deep',
    'i cutted myself yesterday and its still bleeding',
    'i keep picking my cuts open so they bleed',
    'i started self harming again this week',
    'slashed my legs last night',
    'i hit myself in the face until my nose bled',
    "my sister is sh'ing in the bathroom right now",
    'my son is hitting his head against the wall and theres blood',
    'my dad punches me when hes drunk',
    'my step mum locks me in my room without food',
    'my mums boyfriend hurts me and my little sister',
    'im scared of my dad, he beat me up yesterday',
    'my daughter told me her uncle has been touching her',
    'please help my husband is going to hurt me and the children',
    'theres a man in my house and im hiding in the wardrobe',
    'a group of lads are following me home and i think they have a knife',
    'i owe a dealer money and he says hell stab me if i dont pay by tonight',
    'they make me hold drugs in my house and say theyll hurt my nan',
    'my 14 year old has not come home and her phone is off since last night',
    'my son has been missing since this morning and he left a note',
    'a girl from my school has been missing for two days',
    'my 15 year old daughter is staying at a 30 year old mans flat and wont come home',
    'the voices tell me im evil and should die',
    'i hear voices telling me to stab someone',
    'my son says the devil is controlling him and hasnt slept in days',
    'my mum is talking nonsense and thinks people are trying to kill her, she hasnt slept',
    'she hasnt eaten in 5 days and keeps fainting',
    'my daughter has anorexia and her heart rate is really low, the gp said go to a&e',
    'i fainted twice today and havent eaten properly in weeks',
    'i dont think ill be alive by the end of the week',
    'ive been saving my medication for a while now and i know what im going to do',
    'i just want everything to stop permanently',
    'im writing this from the bathroom floor, i took everything i could find',
    'i keep looking up how long it takes to bleed out',
    'there is no point in me being alive',
    "my dad said he'd be better off if i was never born and i think hes right, i want to go",
    'i wish i could fall asleep and never wake',
    'i wanna end it fr this time',
    'i need to die',
    'im going to walk into the sea tonight',
    'if my results are bad tomorrow im ending it',
    'ive tied a rope to my wardrobe',
    'my mate has just said shes taken a load of her mums pills',
    'my son is on the roof and wont come down',
    'my girlfriend just messaged me saying sorry for everything and i love you and now shes offline',
    'our daughter (14) has disappeared and left her phone and a letter',
    'my teenage son keeps talking about wanting to be dead and he has been giving away his games',
    'i have been cutting everyday this week',
    'cut my stomach last night cos i felt nothing',
    'i burned myself on purpose with the iron',
    'i made myself bleed again',
    'the cuts on my arm are getting infected and smell',
    'ive been head banging against the wall until i get dizzy today',
    'my daughter (12) is scratching her skin with a razor in her room right now',
    'my parents beat me with a stick yesterday',
    'my brother sexually abuses me at night',
    "my mum's partner strangled her tonight and she's lying on the floor",
    'my dad is really drunk and says hes going to kill us all',
    'i am 13 and i am pregnant by my 25 year old boyfriend',
    'some men have been giving me drink and drugs and making me do things',
    'some guy is making me send him more nudes or he will tell my parents',
    'my son has been stabbed and is bleeding',
    'my friend took ket and now shes not breathing right',
    'my little brother swallowed some of mums tablets and is being sick',
    'the voices are getting louder and telling me to hurt myself',
    'my son is talking about killing us because god told him to',
    'my mum is seeing things and thinks the neighbours are trying to kill her, she hasnt slept in 4 days',
    'my daughter is eating nothing and has just passed out in the shower',
]


@pytest.mark.parametrize("text", CRISIS)
def test_crisis_is_seen(understander, text):
    heard = understander.read(text)
    assert heard.crisis == "yes", text
    assert heard.grouping == "getting-risk-support"


# --- not a crisis: figures of speech, past risk, general talk, everyday life ---------

NOT_CRISIS = [
    'maths is killing me',
    'this revision is literally killing me',
    'my feet are killing me after pe',
    'i was dying of embarrassment when i fell over in assembly',
    'nearly died laughing at my mate',
    'my phone died so i missed your message',
    'battery died halfway through the game',
    'i could murder a pizza right now',
    'i would kill for a nap',
    'mum will kill me when she sees my science mark',
    'my dad is going to kill me if he finds out i skipped',
    'im gonna kill my sister she used my straighteners',
    'im dead tired after football',
    'dead excited for the school trip',
    'that film was to die for',
    'i want to dye my hair blue but mum says no',
    'i want to die my hair pink for the summer',
    'i self-harmed years ago and im doing ok now',
    'i used to self harm when i was 13 but ive been clean for over a year',
    'i have old scars from when i used to cut, how do i stop people staring',
    "my daughter self harmed last year but she's in a much better place now",
    'historic self harm, nothing for 18 months, wants support with confidence',
    'i used to feel suicidal in year 8 but im loads better now',
    'my cousin killed himself two years ago and im still sad about it',
    'my grandad died last month and i miss him',
    'my nan passed away and the funeral is on friday',
    'we are planning a suicide awareness assembly for year 9',
    'can you recommend self harm training for our pastoral team',
    'how do i talk to my son about suicide after a boy at his school died',
    'is there any suicide prevention training for youth workers',
    'what are the warning signs of self harm in teenagers',
    'my son says kms whenever he loses at fortnite, is that normal slang?',
    'im going to end it with my girlfriend, how do i do it nicely',
    'i want to finish with my boyfriend but im scared hell be upset',
    'cut my hair really short and now everyone laughs',
    'i got cut from the football team today',
    'the club got its funding cut',
    "she's cutting out sugar and carbs",
    'i cut my finger chopping onions and it bled loads',
    'hurt myself playing rugby yesterday',
    'burnt my toast again lol',
    'my mum is having a fit about my messy room',
    'i banged my head on the cupboard door',
    'im not suicidal i just feel really flat',
    'i dont want to die, i just want to feel better',
    'no thoughts of harming herself, just very low',
    'GP: 14yo with low mood, denies suicidal ideation, no self harm',
    'she hasnt said anything about wanting to hurt herself but she cries a lot',
    'i keep getting horrible thoughts about hurting my baby brother and i would never do it, it scares me',
    'intrusive thoughts about stabbing people, i hate them and hide the knives',
    'my son shouts i hate you and ill kill you when he doesnt get his way, hes 5',
    'my little boy hits his sister when hes cross',
    'my daughter bangs her head on the floor during tantrums, shes 3, no injuries',
    'took my tablets this morning like normal',
    'i take sertraline every day and it helps',
    'my mum takes loads of tablets for her back',
    'i took 2 paracetamol for my headache',
    'had a few drinks at a party and got a bit tipsy',
    'my son wont wake up for school in the mornings',
    'cant wake him up before midday at weekends',
    'i havent eaten breakfast today, not hungry',
    'i feel dizzy when i stand up too fast',
    'my heart races before exams',
    'i have panic attacks and feel like im dying',
    'i had a panic attack and honestly thought i was going to die',
    'nobody would notice if i left the group chat lol',
    'whats the point of algebra honestly',
    'i cant do this homework anymore its too hard',
    'im done with this game its rubbish',
    'my life is over my mum took my phone lol',
    'i hate my life right now because of exams',
    'my cat went missing yesterday, im so sad',
    'my phone has gone missing at school',
    'ive been missing school because of anxiety',
    'i keep missing my dad since he moved out',
    'i ran away from a spider lol',
    'my friend said bye and went home',
    'i said goodbye to my old school today, feeling emotional',
    'the teacher kicked me out of class again',
    'the voices in my head are just my own thoughts, i think',
    'i sometimes hear my name when im dropping off to sleep',
    'my brother and i had a fight over the xbox',
    'mum and dad argue loads and it stresses me out',
    'my step dad shouts a lot but he never hurts anyone',
    'dad used to hit mum before they split up, we dont see him now',
    'i was bullied in year 7 but its better now',
    'someone in my class said theyd punch me but it was a joke',
    'my mate keeps saying he will batter me at fifa tonight',
    'a boy at school keeps sending me messages, how do i block him',
    'my boyfriend wants me to send nudes, what should i do',
    'i sent a photo to someone last year and im worried about it',
    'my son spends hours on roblox chatting to people, should i worry',
    'i am pregnant and scared to tell my mum',
    'i lost my baby at 10 weeks and feel empty',
    'we are going to pakistan in the summer for my cousins wedding',
    'my sister is getting married next year and i dont want to be a bridesmaid',
    'my daughter wants to go to the party tonight but i said no',
    'i get urges to bite my nails all the time',
    'relapsed on vaping after a week, any tips to quit',
    'been clean from weed for 2 months',
    'the news about the bridge collapse scared me',
    'we walked along the canal with the dog and it was lovely',
    'i like sitting on the edge of the pier watching the sea',
    'i love standing on the bridge watching the trains',
    'im stood on the bus going home',
    'my son is 9 and gets really angry when he loses, he throws his controller and screams. how can i help him calm down',
    'my daughter has been really low since her dad left, she stays in her room a lot. is there counselling for kids?',
    'Y7 boy struggling with friendships, often in tears at lunchtime. Any group work available?',
    'im always tired and cant get to sleep till 2am. any tips',
    'my mum has been drinking a lot since my nan died and i dont know what to do',
    'how do i tell my parents im gay',
    'my 15 year old wont go to school, she says she feels sick every morning',
    'GP: 11yo with suspected ADHD, school reports inattention and impulsivity. Referral route please',
    'im on the waiting list for camhs and its been 6 months, what can i do while i wait',
    'my son was diagnosed autistic last year and we get no support',
    'i think my friend is being groomed by an older guy she met on snapchat',
    'my dad has depression and doesnt get out of bed',
    'i look after my little brother every night because mum works late',
    'turning 18 next month, will i lose my camhs worker',
    'my girlfriend is pregnant and im scared',
    'i hate my body and compare myself to everyone on instagram',
    'any ideas for staying positive over the holidays',
    'hi',
    'help',
    'who can i talk to',
    'anxiety',
    'low mood',
    'my friend cut me off and now i have no one to sit with at lunch',
    'i cut my knee when i fell off my bike yesterday and it bled loads',
    'i burnt my hand on the oven this morning',
    'my nose was bleeding loads in maths today',
    'my son keeps knives in his room for his whittling hobby',
    'the dog went missing last night but we found him',
    'my daughter keeps going missing after school and wont say where she goes',
    'my son stays out late with older lads and comes home smelling of weed',
    'took my melatonin and still cant sleep',
    'i take my adhd meds every morning but they make me feel sick',
    'my mum takes a lot of tablets because she has ms',
    'we went to a wedding in india last summer',
    'im scared of the dark and of being alone at night',
    'i get really bad intrusive thoughts about hurting people and it scares me because i never would',
    'my dad hit my car into a wall, everyone is fine',
    'i hit my head on the bunk bed this morning, its a bit sore',
    'i scratch my eczema till it bleeds at night',
    'she picks at her skin when she is anxious',
    'i hurt my wrist at football',
    'teacher said my essay was killing it',
    'i nearly died when i saw my exam results, so happy',
    'my brother plays fortnite all night and shouts kms when he dies in the game',
    'my friends keep joking about wanting to die because of exams',
    'im dying to go to the concert',
    'i swear mum is going to murder me when she sees my hair',
    'my son is being bullied and a boy threatened to beat him up, school are dealing with it',
    'someone at school said theyd stab me, i think its a joke but im scared',
    'my 16yo daughter has a 22 year old boyfriend and i dont like it',
    'i sent nudes to my ex and now i regret it',
    'my son hears voices sometimes but they are quiet and dont tell him to do anything',
    'sometimes i see things out of the corner of my eye, is that normal',
    'my daughter had a panic attack at school and couldnt breathe',
    'i feel like everyone is staring at me and talking about me',
    'my nan has dementia and forgets who i am',
    'i used to cut but i stopped 2 years ago',
    'my mum was sectioned last year and now she is home',
    'we fled syria and my son has nightmares about the bombs',
    'I was abused as a child and now I have a baby I worry about being a good mum',
    'domestic abuse when i was little still affects me',
    'the referral got rejected, what now',
    'how long is the wait for an autism assessment in kirklees',
    'whats the number for chews',
    'can i self refer to kooth',
    'my son was excluded for fighting, is there anger support',
    'my 6 year old wets the bed and has nightmares since we moved house',
    'is it normal for a 14 year old to sleep till 2pm',
    'my daughter wont eat anything except pasta and crisps',
    'i think im fat and i only eat one meal a day',
    'been making myself sick after meals for a few months',
    'lost loads of weight and my periods stopped',
    'im 17 and drink most weekends, is that bad',
    'i vape like 2 a week and cant stop',
    'my friends all smoke weed and want me to try it',
    'im trans and my parents wont use my name',
    'im nervous about starting secondary school in september',
    'my exams start tomorrow and im so stressed i feel sick',
    'i failed my mocks and my dad went mad at me',
    'mum and her boyfriend argue a lot and it stresses me',
    'my parents are splitting up and i have to choose who to live with',
    'since my best friend moved away im so lonely',
    'i have no confidence and cant talk in class',
    'my daughter has OCD and washes her hands 50 times a day',
    'I am a foster carer for a 12 year old with attachment issues, any training?',
    'SENCO here, looking for resources on emotional regulation for KS2',
    "We'd like to run a wellbeing week for Y7, any free resources?",
    'as a youth worker how do i talk about suicide safely with young people',
    'is there bereavement support for teenagers who lost a parent to suicide',
    'my uncle died by suicide when i was 10 and i still think about him',
    'my son says he wants to run away to live with his dad',
    'i feel trapped in this town, nothing to do',
    'my life is a mess lol but im ok',
    'whats the point in revising if im going to fail anyway',
    'i cant be bothered with anything at the moment',
    'i want to disappear when people look at me in class',
    'im sick of my little brother nicking my stuff',
    'my mum will literally murder me if i fail',
    'i nearly had a heart attack when the fire alarm went off',
    'i could sleep forever after that match lol',
    'the test was a killer',
    'my brothers going to kill me when he sees i broke his headphones',
    'ugh kill me now, double maths',
    'i cut myself shaving this morning lol',
    'i got a paper cut and it bled everywhere',
    'i had a nosebleed at school and there was blood everywhere',
    'my friend burned her hand on the oven at work',
    "i scraped my knee when i fell off my bike and it's bleeding a bit",
    'took a paracetamol for my period pains',
    'mum takes tablets for her blood pressure',
    'my dog died last week and i cant stop crying',
    'my grandad is dying of cancer and i dont know how to say goodbye',
    'i said goodbye to my best friend when she moved to scotland',
    'im leaving the group chat, bye everyone lol',
    'my son keeps running away from me in the supermarket',
    'he ran off at the park and we found him 5 mins later',
    'she gets really angry and says she hates us, then calms down',
    'my brother punched me for taking his charger',
    'i used to have suicidal thoughts when i was younger but i got help and im ok',
    'she self harmed when she was 13 and hasnt since, shes 16 now',
    'my son had a knife crime talk at school and now hes scared',
    'we watched a film about suicide in PSHE and it upset me',
    'how can i support a friend who self harms',
    'what should i do if my child tells me they feel suicidal',
    'looking for training on recognising suicide risk for our staff',
    'my teen says shes bored to death at home',
    'ive had a headache for days and im so tired',
    'she hasnt eaten breakfast for a week because she says shes not hungry in the morning',
    'my son only eats chicken nuggets, is that ok',
    'i feel dizzy and sick when im anxious',
    'my heart races when i see my crush lol',
    'i want to hide under my duvet forever',
    'i wish i could disappear from this party, so awkward',
    'exams are ruining my life',
    'my mum is always threatening to take my phone',
    'my dad threatened to ground me if i came home late',
    'the older kids at school are mean to me',
    'a boy in year 11 keeps messaging me and its weird',
    'im 16 and my boyfriend is 18 is that ok',
    'we are moving house and i have to leave all my friends',
    'i keep thinking about death since my nan died, is that normal',
    'sometimes i think what if i died, would anyone cry at my funeral',
    'my mum has been in hospital since yesterday and im staying at my aunties',
    'i hear music in my head when its quiet',
    'my dad drinks every night but hes not violent',
    'i have no future at this school lol they all hate me',
    'my parents would be happier if i was a doctor',
    'i want out of this town so bad',
    'i feel like im dying from this cold',
    'this heat is killing me',
    'i hit the wall in my running training',
    'im going to end up failing maths',
    'end of the world if i dont get tickets',
    'she told me to go die in a hole lol and blocked me',
    'i just want it to be over, these exams are so long',
    'i want to stop existing in group projects lmao',
    'my sister burnt her arm on the straighteners getting ready',
    'my son fell out of a tree and cut his head, its stitched now',
    'the blood test made me faint',
    'i faint when i see blood',
    'i went to a&e with a broken arm last year',
    'im taking my meds like the doctor said',
    'my friend overdosed on energy drinks and was buzzing all night',
    'my mum hit the car in front, nobody was hurt',
    'my dad hits the gym every morning',
    'my son says hes going to run away to the circus lol',
    'i used to hear voices when i was ill but im on meds now and fine',
    'my daughter used to cut, she stopped a long time ago and is happy',
    'historic overdose aged 14, now 17 and stable, wants help with anxiety',
    'i was in a dark place last year but im doing so much better now',
    'my best mate killed it at the talent show',
    'im sooo tired i could die',
    'my friend is always saying she wants to die when she has a test but shes joking',
    'i hate my step dad he is so strict',
    'dad shouts when hes had a drink',
    'my older brother is in a gang and i worry about him',
    'my daughter has a 17 year old boyfriend and shes 15',
    'we had a safeguarding training session on county lines, any follow up resources?',
    'what are the signs of child exploitation',
    'im scared of needles and have an injection tomorrow',
    'i keep thinking about what happens when you die, it scares me',
    'can you die from a panic attack',
    'i feel like my heart is going to explode when im anxious',
    'my grandma is in hospital and might not make it',
    'my son talks about death a lot since his dog died',
    'i dont think ill survive these exams lol',
    'i keep looking up how to get better at football',
    'i just want everything to stop for a bit so i can breathe, too much homework',
    'i need to die my hair before the party',
    'im going to walk the dog to the sea tonight',
    'if my results are bad tomorrow im going to cry',
    'my son is on the roof fixing the aerial with his dad',
    'my friend is offline and not answering, probably asleep',
    'my daughter left her phone at school',
    'i gave away my old clothes to charity',
    'i made myself a bracelet',
    'my son gets dizzy when he stands up quickly',
    'my mum is in hospital after a car crash but she is ok now',
    'my brother wont stop kicking the back of my seat',
    'my dad is drunk again and snoring on the sofa',
    'i am 17 and pregnant and excited but nervous',
    'my friend drank too much at the party last week and threw up',
    'i keep getting voices in my head like my own thoughts when reading',
    'my mum sees a therapist for her anxiety',
    'she barely eats breakfast but eats a big lunch',
    'i cut my own fringe and it looks terrible',
    'my sister keeps stealing my razor for her legs',
    'i hurt my back lifting weights',
    'i am so done with school today',
    'this game makes me want to die of boredom',
]


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_no_false_alarm(understander, text):
    assert verdict(understander, text) != "yes", text


# --- topics ------------------------------------------------------------------------

TOPICS = [
    ('anxiety', 'young_person', 'i get so nervous before tests that my hands shake'),
    ('anxiety', 'parent', 'my son worries about everything, what if the house burns down, what if i die'),
    ('anxiety', 'young_person', 'proper bricking it about my presentation tomorrow'),
    ('anxiety', 'professional', 'Y9 pupil with escalating panic attacks in class, what can we offer'),
    ('low-mood', 'young_person', 'feel so down all the time and nothing helps'),
    ('low-mood', 'young_person', 'cant be bothered with owt anymore, even my xbox'),
    ('low-mood', 'parent', 'my lad has been dead quiet and miserable for weeks'),
    ('low-mood', 'professional', '16yo presenting with low mood and withdrawal, PHQ 15'),
    ('self-harm', 'young_person', 'how do i stop the urge to cut, havent done it in 2 weeks'),
    ('self-harm', 'parent', 'i think my daughter is self harming, shes wearing long sleeves in summer'),
    ('self-harm', 'professional', 'student with historic DSH now asking for support with coping skills'),
    ('suicidal-thoughts', 'young_person', 'sometimes i think everyone would be better off without me'),
    ('suicidal-thoughts', 'parent', 'my son talked about not wanting to be alive anymore'),
    ('eating', 'young_person', 'i keep counting calories and feel guilty if i eat anything'),
    ('eating', 'parent', 'my daughter is obsessed with her weight and skips meals'),
    ('eating', 'professional', 'Y10 girl, significant weight loss, possible restrictive eating, referral route to ED service?'),
    ('anger', 'parent', 'my 10 year old has violent outbursts and kicks holes in the door'),
    ('anger', 'young_person', 'i lose my temper over nothing and then regret it'),
    ('bereavement', 'young_person', 'my grandad passed away last month and i cant stop crying'),
    ('bereavement', 'professional', "Pupil's dad died suddenly last week, what bereavement support is there locally"),
    ('bullying', 'young_person', 'people at school keep calling me names and pushing me in the corridor'),
    ('bullying', 'parent', 'my son is being bullied online on snapchat'),
    ('family', 'young_person', 'my mum and step dad argue all the time and i hate being at home'),
    ('family', 'parent', 'me and my partner have split and the kids are caught in the middle'),
    ('school', 'young_person', 'i am so behind with my coursework and my teachers keep on at me'),
    ('school', 'parent', 'my son refuses to go to school most mornings'),
    ('sleep', 'young_person', 'i lie awake till 3am every night'),
    ('sleep', 'parent', 'my 8 year old has nightmares most nights and ends up in our bed'),
    ('trauma', 'young_person', 'ever since the car accident i keep having flashbacks'),
    ('trauma', 'parent', 'my kids witnessed domestic violence and now they are jumpy all the time'),
    ('autism', 'parent', 'how do we get an autism assessment for our 6 year old'),
    ('autism', 'young_person', 'im autistic and the noise in the canteen is too much'),
    ('adhd', 'parent', 'could my son have adhd, he cant sit still and cant focus at all'),
    ('adhd', 'young_person', 'do i have adhd? i cant concentrate on anything'),
    ('learning-disability', 'parent', 'my daughter has a learning disability and needs help with her feelings'),
    ('learning-disability', 'professional', 'YP with moderate LD and an EHCP showing distress, which team'),
    ('psychosis', 'young_person', 'i hear whispers when nobody is there and i think people are watching me'),
    ('psychosis', 'parent', 'my son believes people are reading his thoughts and is really paranoid'),
    ('ocd', 'young_person', 'i have to check the oven is off like 20 times before i leave'),
    ('ocd', 'parent', 'my daughter has to do everything in fours or she panics something bad will happen'),
    ('identity', 'young_person', 'im questioning my gender and dont know who to talk to'),
    ('identity', 'parent', 'my son has just come out as gay and i want to support him'),
    ('substances', 'young_person', 'i smoke weed every day and cant stop'),
    ('substances', 'parent', 'found vodka bottles hidden in my 15 year olds wardrobe'),
    ('exploitation', 'parent', 'my daughter is talking to an older man online who keeps buying her things'),
    ('exploitation', 'professional', 'concerns about CCE, pupil going missing and has new expensive clothes'),
    ('parent-mental-health', 'parent', 'im struggling with my own depression and its affecting my kids'),
    ('parent-mental-health', 'young_person', 'my mum has bipolar and i never know what mood shes in'),
    ('young-carer', 'young_person', 'i care for my dad who is disabled and i never get time for myself'),
    ('young-carer', 'professional', 'identified a young carer in Y8, how to refer to young carers service'),
    ('transition', 'young_person', 'im 17 and scared about moving to adult services'),
    ('transition', 'professional', 'care leaver turning 18, which adult MH team picks up'),
    ('perinatal', 'parent', 'since having my baby i feel nothing and cry all the time'),
    ('perinatal', 'young_person', 'im 15 and think im pregnant'),
    ('self-esteem', 'young_person', 'i hate the way i look and feel so ugly'),
    ('self-esteem', 'young_person', 'i have no friends and feel lonely all the time'),
    ('wellbeing', 'parent', 'how can i help my kids look after their mental health'),
    ('wellbeing', 'young_person', 'im doing good at the moment just want some tips to stay that way'),
    ('referral', 'parent', 'how do i refer my son to camhs'),
    ('referral', 'professional', 'can school refer directly to chews or does it go through the GP'),
    ('waiting', 'parent', 'weve been on the camhs waiting list for a year and heard nothing'),
    ('waiting', 'young_person', 'how long will i have to wait for my first appointment'),
]


@pytest.mark.parametrize("want, audience, text", TOPICS)
def test_main_topic(understander, want, audience, text):
    heard = understander.read(text, audience)
    assert heard.topics[0] in want.split(","), (text, heard.topics)
    assert heard.matched


# --- the kinds the brief names, one by one ----------------------------------------------

@pytest.mark.parametrize("text", [
    "i want to kill myself",
    "think im going to end my life",
    "wanna kms tonight",
    "been thinking about unaliving myself",
    "unalive thoughts again",
    "sewerslide thoughts are back",
    "thinking about ctb",
    "i feel suicidle",
    "i took an overdoes",
    "my friend said she's going to end it tonight",
    "I don't want to live",
    "i dont want to be alive anymore",
])
def test_direct_oblique_and_euphemisms(understander, text):
    assert verdict(understander, text) == "yes"


@pytest.mark.parametrize("text", [
    "maths is killing me",
    "dying of embarrassment",
    "my phone died",
    "could murder a pizza",
    "I self-harmed years ago and I'm doing ok now",
    "exams will be the death of me",
    "my mum will kill me when she sees this",
    "i want to dye my hair green",
])
def test_figures_of_speech_and_past_risk_do_not_fire(understander, text):
    assert verdict(understander, text) != "yes"


@pytest.mark.parametrize("text", [
    "I self-harmed years ago and I'm doing ok now",
    "used to cut but ive been clean for a year",
])
def test_recovered_past_risk_gives_no_question(understander, text):
    assert verdict(understander, text) == "no"


@pytest.mark.parametrize("text", [
    "I don't want to live",
    "i dont want to be here anymore",
    "i never want to wake up again",
])
def test_negation_words_inside_risk_phrases_do_not_hide_risk(understander, text):
    assert verdict(understander, text) == "yes"


@pytest.mark.parametrize("text", [
    "im not suicidal, just tired",
    "i dont want to die but i feel awful",
    "no self harm, no SI, low mood for a month",
])
def test_negated_risk_asks_rather_than_assumes(understander, text):
    assert verdict(understander, text) == "ask"


@pytest.mark.parametrize("text", [
    "whats the point anymore",
    "i cant go on like this",
    "i just want to disappear",
    "im a burden to everyone",
    "my son says kms when he loses at fifa, is that normal",
    "im on the roof of the car park",
    "ive got a rope in my room",
    "i used to self harm and im scared it might come back",
])
def test_ambiguous_wording_gets_a_kind_question(understander, text):
    assert verdict(understander, text) == "ask"


@pytest.mark.parametrize("text", [
    "he said its just a story but the essay describes how she would end her life",
    "my friend is saying goodbye to everyone on her story and now her phone is off",
    "she gave away her favourite things and seems weirdly calm",
    "the voices are telling me to hurt my sister",
    "i cut again last night",
])
def test_risk_told_sideways_is_still_seen(understander, text):
    assert verdict(understander, text) == "yes"


def test_crisis_topic_leads(understander):
    heard = understander.read("i cut myself last night and cant stop crying")
    assert heard.topics[0] == "self-harm"
    heard = understander.read("my dad hits me and i am scared to go home")
    assert heard.topics[0] == "trauma"


# --- jargon, slang, Yorkshire -------------------------------------------------------

@pytest.mark.parametrize("text, topic", [
    ("CYP with DSH, nothing in the last year, what groups are there", "self-harm"),
    ("LAC young person, placement breakdown, early trauma", "trauma"),
    ("CiC aged 12, attachment difficulties, carers asking for therapeutic input", "trauma"),
    ("EHCP in place, SEMH primary need, moderate LD", "learning-disability"),
    ("concerns about CSE, older males picking her up from school", "exploitation"),
    ("ASC assessment referral for a Y3 child", "autism"),
    ("ED referral for a Y10 with rapid weight loss", "eating"),
])
def test_professional_jargon(understander, text, topic):
    assert understander.read(text, "professional").topics[0] == topic


@pytest.mark.parametrize("text, topic", [
    ("my lad wont leave his room", "low-mood"),
    ("our kid is dead mardy all the time", "anger,low-mood"),
    ("nowt makes me happy anymore", "low-mood"),
    ("hes that mithered about his exams", "anxiety,school"),
    ("cba with anything and just feel meh", "low-mood"),
    ("ppl keep chattin rubbish about me on snap", "bullying"),
])
def test_slang_and_yorkshire(understander, text, topic):
    assert understander.read(text).topics[0] in topic.split(",")


def test_several_needs_in_one_message(understander):
    heard = understander.read("cant sleep, hate school and my mum and dad are splitting up", "young_person")
    assert {"sleep", "school", "family"} <= set(heard.topics[:3])
    heard = understander.read("my son has adhd, hes being bullied and now wont eat", "parent")
    assert {"adhd", "bullying", "eating"} <= set(heard.topics[:4])


def test_parent_own_mental_health_depends_on_audience(understander):
    assert understander.read("my anxiety is through the roof", "parent").topics[0] == "parent-mental-health"
    assert understander.read("my anxiety is through the roof", "young_person").topics[0] == "anxiety"


# --- groupings ------------------------------------------------------------------------

@pytest.mark.parametrize("text, grouping", [
    ("my kids are doing fine, any ideas to keep them mentally healthy", "thriving"),
    ("any tips for exam nerves? first time doing mocks", "getting-advice"),
    ("been crying every night for weeks and its getting worse", "getting-help"),
    ("had OCD for years, tried CBT twice and nothing has helped", "getting-more-help"),
    ("i want to kill myself", "getting-risk-support"),
    ("hi", "getting-advice"),
])
def test_grouping_estimate(understander, text, grouping):
    assert understander.read(text).grouping == grouping


# --- the public shape ---------------------------------------------------------------

def test_read_returns_an_understanding_with_three_topics(understander):
    heard = understander.read("", None)
    assert isinstance(heard, Understanding)
    assert heard.crisis == "no" and not heard.matched and len(heard.topics) >= 3
    assert heard.grouping in {"thriving", "getting-advice", "getting-help", "getting-more-help"}
    assert not heard.is_crisis


def test_tokens_expand_slang_and_fix_spelling(understander):
    assert understander.tokens("im sooo anxeity rn") == ["i", "am", "soo", "anxiety", "right", "now"]


def test_everyday_words_are_not_corrected_into_risk_words(understander):
    assert understander.tokens("kissing dyeing stone") == ["kissing", "dyeing", "stone"]


# --- the classify command's contract -------------------------------------------------

def _classify(understander: Understander, lines: list[str]) -> tuple[list[dict], str]:
    out, err = io.StringIO(), io.StringIO()
    assert classify_run(understander, io.StringIO("".join(line + "\n" for line in lines)), out, err) == 0
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_classify_keeps_order_and_answers_each_line(understander):
    lines = [json.dumps({"id": f"m{i}", "text": t, "audience": "young_person"})
             for i, t in enumerate(["i want to die", "maths is killing me", "cant sleep", "help"])]
    answers, err = _classify(understander, lines)
    assert [a["id"] for a in answers] == ["m0", "m1", "m2", "m3"]
    assert [a["crisis"] for a in answers] == [True, False, False, False]
    assert all(set(a) >= {"id", "crisis", "topics", "quadrant"} for a in answers)
    assert err == ""


def test_classify_crisis_true_only_for_yes(understander):
    answers, _ = _classify(understander, [json.dumps({"id": "a", "text": "whats the point anymore"})])
    assert answers[0]["crisis"] is False and answers[0]["ask"] is True


def test_classify_bad_json_goes_to_stderr_and_the_rest_go_on(understander):
    answers, err = _classify(understander, [
        json.dumps({"id": "1", "text": "i feel low"}), "{not json", "", json.dumps({"id": "2", "text": "hi"}),
    ])
    assert [a["id"] for a in answers] == ["1", "2"]
    assert "line 2" in err


def test_classify_missing_text_gives_an_error_line_for_that_id(understander):
    answers, err = _classify(understander, [json.dumps({"id": "x", "audience": "parent"}),
                                            json.dumps({"id": "y", "text": "anxious"})])
    assert answers[0]["id"] == "x" and "error" in answers[0]
    assert answers[1]["id"] == "y" and "topics" in answers[1]
    assert err == ""
